/**
 * Code that arrives as a widget part (leader.js, poll.js: src/platform/widget-part.ts), fetched
 * until it is there. Each try is reported (`connecting`), each failure too (`unavailable`, with
 * the wait), and the next try comes after the feed's backoff, so a network blip or a half-done
 * deploy heals by itself. A factory that throws counts as a failed load. After `stop()` nothing
 * more is fetched and code that arrives late is not used. Nothing here throws.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { PartLoader } from '../core/part';
import { createSingleTimer } from '../core/timer';
import { backoffDelay } from './backoff';
import type { FeedStatus } from './types';

export interface PartRetryDeps<F> {
  load: PartLoader<F>;
  /** Runs the loaded code; a throw counts as a failed load. */
  use(factory: F): void;
  onStatus(status: Extract<FeedStatus, { status: 'connecting' | 'unavailable' }>): void;
  /** What did not load, for the warning ("the call code (leader.js)"). */
  what: string;
  clock: Clock;
  random: () => number;
  logger: Logger;
}

export interface PartRetry {
  /** Waiting for the next try: try now (the page woke up, came online). */
  retryNow(): void;
  stop(): void;
}

export function loadPartWithRetry<F>(deps: PartRetryDeps<F>): PartRetry {
  const timer = createSingleTimer(deps.clock);
  let phase: 'loading' | 'waiting' | 'ready' | 'stopped' = 'loading';
  let attempt = 0;

  function load(): void {
    phase = 'loading';
    attempt += 1;
    deps.onStatus({ status: 'connecting', attempt });
    // A loader answers once; an answer after stop() (or a second one) changes nothing.
    let answered = false;
    const failed = (error: unknown) => {
      if (answered || phase !== 'loading') return;
      answered = true;
      phase = 'waiting';
      const retryInMs = backoffDelay(attempt, deps.random);
      deps.logger.warn(`${deps.what} did not load; retrying`, { error: String(error), retryInMs });
      deps.onStatus({ status: 'unavailable', attempt, retryInMs });
      timer.set(retryInMs, load);
    };
    try {
      deps.load((factory) => {
        if (answered || phase !== 'loading') return;
        try {
          deps.use(factory);
        } catch (error) {
          failed(error);
          return;
        }
        answered = true;
        phase = 'ready';
      }, failed);
    } catch (error) {
      failed(error);
    }
  }

  load();
  return {
    retryNow() {
      if (phase !== 'waiting') return;
      timer.clear();
      load();
    },
    stop() {
      phase = 'stopped';
      timer.clear();
    },
  };
}
