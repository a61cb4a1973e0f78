/**
 * Leader election without Web Locks: a lease record in localStorage that the leader renews
 * every `renewMs`; followers check it every `checkMs` and claim it once it is expired or
 * removed. Two tabs claiming at once both write, wait `settleMs` and read back: only the
 * last writer finds itself in the record. Timing: src/tabs/timing.ts.
 */
import type { Clock, TimerHandle } from '../core/clock';
import type { Logger } from '../core/logger';
import type { Election, ElectionEvents } from './election';
import { encodeLease, judgeLease, parseLease, type LeaseVerdict } from './lease';
import type { TabStorage, TabTiming } from './types';

export interface LeaseElectionDeps extends ElectionEvents {
  storage: TabStorage;
  storageKey: string;
  tabId: string;
  clock: Clock;
  logger: Logger;
  timing: TabTiming;
}

type LeaseState = 'idle' | 'following' | 'claiming' | 'leading' | 'stopped';

export function leaseElection(deps: LeaseElectionDeps): Election {
  const { storage, storageKey, tabId, clock, logger, timing } = deps;
  let state: LeaseState = 'idle';
  let timer: TimerHandle | null = null;

  const schedule = (fn: () => void, ms: number) => {
    if (timer !== null) clock.clearTimeout(timer);
    timer = clock.setTimeout(() => {
      timer = null;
      fn();
    }, ms);
  };

  const verdict = (): LeaseVerdict => {
    let raw: string | null = null;
    try {
      raw = storage.getItem(storageKey);
    } catch (error) {
      logger.warn('tabs: could not read the lease', { error: String(error) });
    }
    return judgeLease(parseLease(raw), tabId, clock.now(), timing.leaseTtlMs);
  };

  const write = (): boolean => {
    try {
      storage.setItem(storageKey, encodeLease({ tabId, expiresAt: clock.now() + timing.leaseTtlMs }));
      return true;
    } catch (error) {
      logger.warn('tabs: could not write the lease', { error: String(error) });
      return false;
    }
  };

  const follow = () => {
    state = 'following';
    schedule(check, timing.checkMs);
  };

  const lead = () => {
    state = 'leading';
    schedule(renew, timing.renewMs);
    deps.onElected();
  };

  function check() {
    const seen = verdict();
    if (seen.kind === 'held') return follow();
    if (seen.kind === 'mine') return lead();
    if (!write()) return follow();
    state = 'claiming';
    schedule(settle, timing.settleMs);
  }

  function settle() {
    if (verdict().kind !== 'mine') return follow();
    if (!write()) return follow();
    lead();
  }

  function renew() {
    const seen = verdict();
    if (seen.kind === 'held') {
      logger.info('tabs: another tab holds the lease; stepping down', { by: seen.by });
      follow();
      deps.onDeposed();
      return;
    }
    write();
    schedule(renew, timing.renewMs);
  }

  return {
    kind: 'lease',
    start() {
      if (state !== 'idle') return;
      check();
    },
    nudge() {
      if (state === 'following') check();
    },
    stop() {
      const previous = state;
      state = 'stopped';
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
      if ((previous === 'leading' || previous === 'claiming') && verdict().kind === 'mine') {
        try {
          storage.removeItem(storageKey);
        } catch (error) {
          logger.warn('tabs: could not remove the lease', { error: String(error) });
        }
      }
    },
  };
}
