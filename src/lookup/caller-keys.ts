/**
 * Where the remembered callers live (localStorage, one entry per account and user) and their
 * removal. This much is in script.js, every tab: the page forgets other users' callers when it
 * starts and everyone's at the widget's switch-off (src/platform/lifecycle.ts). The list itself
 * is read and written by the leader only (caller-store.ts, in leader.js).
 */
import type { Logger } from '../core/logger';

/** The slice of `localStorage` the remembered callers use (src/platform/caller-storage.ts hands it over). */
export type CallerStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/** One user's remembered callers: the storage and the key scoped to the account and the user. */
export interface CallerScope {
  storage: CallerStorage;
  key: string;
}

/** Every version of the format under one prefix, so that a switch-off clears old formats too. */
const PREFIX = 'kommo-telephony/callers/';

export function callersKey(account: string, userId: string): string {
  return `${PREFIX}v1/${encodeURIComponent(account)}/${encodeURIComponent(userId)}`;
}

/** The remembered callers' keys among `keys`, but `keep` (pure). */
export function callerKeysToForget(keys: readonly string[], keep?: string): string[] {
  return keys.filter((key) => key.startsWith(PREFIX) && key !== keep);
}

/** Removes every user's remembered callers but `keep`'s. Never throws: storage may be disabled. */
export function forgetCallers(storage: CallerStorage | undefined, logger: Logger, keep?: string): void {
  if (!storage) return;
  try {
    const keys: string[] = [];
    for (let i = 0; i < storage.length; i += 1) keys.push(storage.key(i) ?? '');
    for (const key of callerKeysToForget(keys, keep)) storage.removeItem(key);
  } catch (error) {
    logger.debug('caller ID: could not clear the remembered callers', { error: String(error) });
  }
}
