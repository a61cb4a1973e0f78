/**
 * The remembered callers in their storage (localStorage, through the injected CallerStorage):
 * read, changed and written back on every use, so that what another tab wrote is not lost and
 * the next page load sees it; nothing is held in memory. The rules are stored-callers.ts.
 *
 * Never throws: a storage that refuses (SecurityError, QuotaExceededError, any other) turns the
 * memory off for this page, with one debug log, and the lookup asks by_phone as without it.
 * Unreadable text (not JSON, another shape) is removed, with one debug log, and the list starts
 * afresh.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { CallerScope } from './caller-keys';
import { CALLER_MEMORY, parseRemembered, rememberCaller, serializeRemembered } from './stored-callers';
import type { CallerMemoryRules, Remembered, RememberedCaller } from './stored-callers';

export interface CallerStore {
  recall(number: string): RememberedCaller | undefined;
  remember(number: string, caller: RememberedCaller): void;
  forget(number: string): void;
}

export function createCallerStore(deps: { scope: CallerScope; clock: Clock; logger: Logger; rules?: CallerMemoryRules }): CallerStore {
  const { storage, key } = deps.scope;
  const rules = deps.rules ?? CALLER_MEMORY;
  let off = false;

  const turnOff = (what: string, error: unknown): void => {
    if (off) return;
    off = true;
    deps.logger.debug(`caller ID: remembered callers are off for this page (${what} failed)`, { error: String(error) });
  };

  const read = (): Remembered | null => {
    if (off) return null;
    try {
      const parsed = parseRemembered(storage.getItem(key), deps.clock.now(), rules);
      if (parsed.corrupted) {
        deps.logger.debug('caller ID: the remembered callers were unreadable; they start afresh');
        storage.removeItem(key);
      }
      return parsed.callers;
    } catch (error) {
      turnOff('reading them', error);
      return null;
    }
  };

  const write = (callers: Remembered): void => {
    try {
      if (callers.size === 0) storage.removeItem(key);
      else storage.setItem(key, serializeRemembered(callers));
    } catch (error) {
      turnOff('saving them', error);
    }
  };

  return {
    recall: (number) => read()?.get(number),
    remember(number, caller) {
      const callers = read();
      if (callers) write(rememberCaller(callers, number, caller, rules));
    },
    forget(number) {
      const callers = read();
      if (callers?.delete(number)) write(callers);
    },
  };
}
