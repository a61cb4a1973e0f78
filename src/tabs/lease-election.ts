/**
 * The shell of the lease election (src/tabs/lease-machine.ts): it owns the one timer, reads and
 * writes the record in localStorage, and reports to the session. Timing: src/tabs/timing.ts.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { createSingleTimer, runQueued } from './lease-shared';
import type { Election, ElectionEvents } from './election';
import { encodeLease, judgeLease, parseLease, type LeaseVerdict } from './lease';
import { stepLease, type LeaseEffect, type LeaseInput, type LeasePhase } from './lease-machine';
import type { TabStorage, TabTiming } from './types';

export interface LeaseElectionDeps extends ElectionEvents {
  storage: TabStorage;
  storageKey: string;
  tabId: string;
  clock: Clock;
  logger: Logger;
  timing: TabTiming;
}

export function leaseElection(deps: LeaseElectionDeps): Election {
  const { storage, storageKey, tabId, clock, logger, timing } = deps;
  const timer = createSingleTimer(clock);
  const machine = runQueued<LeasePhase, LeaseInput, LeaseEffect>({ phase: 'idle' }, (state, input) => stepLease(state, input, timing), perform);
  const dispatch = machine.dispatch;

  const verdict = (): LeaseVerdict => {
    let raw: string | null = null;
    try {
      raw = storage.getItem(storageKey);
    } catch (error) {
      logger.warn('tabs: could not read the lease', { error: String(error) });
    }
    return judgeLease(parseLease(raw), tabId, clock.now(), timing.leaseTtlMs);
  };

  const attempt = (what: string, action: () => void): boolean => {
    try {
      action();
      return true;
    } catch (error) {
      logger.warn(`tabs: could not ${what} the lease`, { error: String(error) });
      return false;
    }
  };

  function perform(effect: LeaseEffect) {
    switch (effect.kind) {
      case 'write': {
        const ok = attempt('write', () => storage.setItem(storageKey, encodeLease({ tabId, expiresAt: clock.now() + timing.leaseTtlMs })));
        return dispatch({ type: 'written', ok });
      }
      case 'remove':
        return void attempt('remove', () => storage.removeItem(storageKey));
      case 'tick-in':
        return timer.set(effect.ms, () => dispatch({ type: 'tick', verdict: verdict() }));
      case 'cancel-tick':
        return timer.clear();
      case 'elected':
        return deps.onElected();
      case 'deposed':
        return deps.onDeposed();
      case 'log':
        return logger.info(effect.message, effect.context);
    }
  }

  return {
    kind: 'lease',
    start: () => dispatch({ type: 'start', verdict: verdict() }),
    nudge: () => dispatch({ type: 'nudge', verdict: verdict() }),
    stop: () => dispatch({ type: 'stop', verdict: verdict() }),
  };
}
