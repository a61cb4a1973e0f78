/**
 * A lead whose code is leader.js: fetched the moment this tab leads, then started; retried with
 * the feed's backoff until it loads (src/feed/part-retry.ts), the status line saying so
 * meanwhile. Leadership that ends first cancels it: code arriving late is not run.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { PartLoader } from '../core/part';
import { loadPartWithRetry } from '../feed/part-retry';
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
  let handle: LeadHandle | null = null;
  const loading = loadPartWithRetry({
    load: deps.load,
    use: (startLeader) => {
      handle = deps.start(startLeader);
    },
    onStatus: deps.onFeedStatus,
    what: 'the call code (leader.js)',
    clock: deps.clock,
    random: deps.random,
    logger: deps.logger,
  });
  return {
    stop() {
      loading.stop();
      handle?.stop();
      handle = null;
    },
    notifiedIds: () => handle?.notifiedIds?.() ?? [],
  };
}
