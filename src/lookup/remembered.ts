/**
 * Stale-while-revalidate over the remembered callers (caller-store.ts): a number remembered
 * there answers at once, with no by_phone request before the pop-up; one request follows
 * `refreshDelayMs` later (2 s: after the pop-up's 1.4 s budget, so it never competes with a
 * pop-up's own lookup) and saves the answer for next time. A number not remembered is asked
 * of by_phone as before, and its answer saved: found is remembered, not found forgets the
 * number, a failure changes nothing (stored-callers.ts says why).
 */
import type { Clock, TimerHandle } from '../core/clock';
import type { WidgetError } from '../core/errors';
import type { CallerStore } from './caller-store';
import { CALLER_MEMORY, fromRemembered, rememberedUse, toRemembered } from './stored-callers';
import type { CallerMemoryRules } from './stored-callers';
import type { CrmEntity, NormalizedNumber } from './types';

/** What is cached: the result without the caller's raw text, which differs call to call. */
export type Outcome =
  | { kind: 'found'; entity: CrmEntity; phoneEntity?: CrmEntity }
  | { kind: 'not_found' }
  | { kind: 'failed'; error: WidgetError };

export interface RememberedLoads {
  /** The remembered answer, now (a stale one is refreshed later); undefined: not remembered. */
  peek(number: NormalizedNumber): Outcome | undefined;
  load(number: NormalizedNumber): Promise<Outcome>;
  dispose(): void;
}

export function rememberedLoads(deps: {
  store: CallerStore;
  clock: Clock;
  refreshDelayMs: number;
  /** The by_phone lookup. */
  ask(number: NormalizedNumber): Promise<Outcome>;
  /** A refresh answered (not failed): the in-memory cache takes it. */
  refreshed(number: NormalizedNumber, outcome: Outcome): void;
  rules?: CallerMemoryRules;
}): RememberedLoads {
  const { store, clock } = deps;
  const refreshes = new Map<string, TimerHandle>();
  let disposed = false;

  const save = (number: NormalizedNumber, outcome: Outcome): void => {
    if (disposed) return;
    if (outcome.kind === 'found') store.remember(number.e164, toRemembered(outcome.entity, outcome.phoneEntity, clock.now()));
    else if (outcome.kind === 'not_found') store.forget(number.e164);
  };

  const ask = (number: NormalizedNumber): Promise<Outcome> =>
    deps.ask(number).then((outcome) => {
      save(number, outcome);
      return outcome;
    });

  const refreshLater = (number: NormalizedNumber): void => {
    if (refreshes.has(number.e164)) return;
    const timer = clock.setTimeout(() => {
      void ask(number)
        .then((outcome) => {
          if (!disposed && outcome.kind !== 'failed') deps.refreshed(number, outcome);
        })
        .catch(() => undefined)
        .finally(() => refreshes.delete(number.e164));
    }, deps.refreshDelayMs);
    refreshes.set(number.e164, timer);
  };

  const peek = (number: NormalizedNumber): Outcome | undefined => {
    const caller = store.recall(number.e164);
    const use = rememberedUse(caller, clock.now(), deps.rules ?? CALLER_MEMORY);
    if (caller === undefined || use === 'none') return undefined;
    if (use === 'stale') refreshLater(number);
    return { kind: 'found', ...fromRemembered(caller) };
  };

  return {
    peek,
    load(number) {
      const outcome = peek(number);
      return outcome === undefined ? ask(number) : Promise.resolve(outcome);
    },
    dispose() {
      disposed = true;
      for (const timer of refreshes.values()) clock.clearTimeout(timer);
      refreshes.clear();
    },
  };
}
