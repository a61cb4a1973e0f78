/**
 * The lease election whose code is lease.js, loaded when the session starts (only browsers
 * without Web Locks get here). Until it arrives the tab is a candidate that has not claimed:
 * it waits as a follower (a tab that already leads keeps leading; pop-ups reach this tab
 * through it). If lease.js cannot load, the election reports `onFailed` and the session works
 * alone, as when a lock request is rejected: no tab of this browser can run the lease without
 * that file, so waiting for a leader would mean no calls at all, while alone every tab still
 * gets its calls (at the cost of one feed per tab).
 */
import type { Logger } from '../core/logger';
import type { PartLoader } from '../core/part';
import type { Election, ElectionEvents } from './election';

export function deferredElection<D extends ElectionEvents>(kind: Election['kind'], load: PartLoader<(deps: D) => Election>, deps: D, logger: Logger): Election {
  let phase: 'idle' | 'loading' | 'ready' | 'done' = 'idle';
  let inner: Election | null = null;

  const failed = (error: unknown) => {
    if (phase !== 'loading') return;
    phase = 'done';
    logger.warn(`tabs: the ${kind} election did not load`, { error: String(error) });
    deps.onFailed();
  };

  return {
    kind,
    start() {
      if (phase !== 'idle') return;
      phase = 'loading';
      try {
        load((create) => {
          if (phase !== 'loading') return;
          try {
            inner = create(deps);
          } catch (error) {
            failed(error);
            return;
          }
          phase = 'ready';
          inner.start();
        }, failed);
      } catch (error) {
        failed(error);
      }
    },
    nudge() {
      inner?.nudge();
    },
    stop() {
      phase = 'done';
      inner?.stop();
      inner = null;
    },
  };
}
