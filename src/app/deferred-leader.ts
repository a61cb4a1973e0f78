/**
 * A lead whose code is leader.js: fetched the moment this tab leads, then started. Until it
 * arrives the feed reports `connecting`; when it cannot load, `unavailable` (the settings panel
 * says so), and it is fetched again with the feed's backoff, so a network blip or a half-done
 * deploy heals by itself. Leadership that ends first cancels it: code arriving late is not run.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { PartLoader } from '../core/part';
import { createSingleTimer } from '../core/timer';
import { backoffDelay } from '../feed/backoff';
import type { FeedStatus } from '../feed/types';
import type { LeadHandle } from '../tabs';
import type { StartLeader } from './leader';

export interface DeferredLeaderDeps {
  load: PartLoader<StartLeader>;
  /** Runs the loaded code (with this lead's context). */
  start(startLeader: StartLeader): LeadHandle;
  onFeedStatus(status: FeedStatus): void;
  clock: Clock;
  random: () => number;
  logger: Logger;
}

export function deferredLeader(deps: DeferredLeaderDeps): LeadHandle {
  const timer = createSingleTimer(deps.clock);
  let phase: 'loading' | 'waiting' | 'running' | 'stopped' = 'loading';
  let attempt = 0;
  let handle: LeadHandle | null = null;

  function load(): void {
    phase = 'loading';
    attempt += 1;
    deps.onFeedStatus({ status: 'connecting', attempt });
    let answered = false;
    const failed = (error: unknown) => {
      if (answered || phase !== 'loading') return;
      answered = true;
      phase = 'waiting';
      const retryInMs = backoffDelay(attempt, deps.random);
      deps.logger.warn('the call code (leader.js) did not load; retrying', { error: String(error), retryInMs });
      deps.onFeedStatus({ status: 'unavailable', attempt, retryInMs });
      timer.set(retryInMs, load);
    };
    try {
      deps.load((startLeader) => {
        if (answered || phase !== 'loading') return;
        try {
          handle = deps.start(startLeader);
          answered = true;
          phase = 'running';
        } catch (error) {
          failed(error);
        }
      }, failed);
    } catch (error) {
      failed(error);
    }
  }

  load();
  return {
    stop() {
      phase = 'stopped';
      timer.clear();
      handle?.stop();
      handle = null;
    },
    notifiedIds: () => handle?.notifiedIds?.() ?? [],
  };
}
