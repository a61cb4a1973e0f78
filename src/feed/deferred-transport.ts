/**
 * A transport whose code is not in leader.js (the polling transport: poll.js) and arrives when
 * `load` answers. Until then it reports `connecting`; when the code cannot load it reports
 * `unavailable` (the settings panel says so) and tries again with the reconnect backoff
 * (part-retry.ts), so a deploy that lost poll.js, or a network blip, heals by itself.
 */
import type { Clock } from '../core/clock';
import { createEmitter } from '../core/emitter';
import type { Logger } from '../core/logger';
import type { PartLoader } from '../core/part';
import { loadPartWithRetry } from './part-retry';
import type { PartRetry } from './part-retry';
import type { CallTransport, FeedStatus, TransportEvents } from './types';

/** Fetches the transport's code: `loaded` with its constructor, or `failed`; once per call. */
export type TransportLoader<D> = PartLoader<(deps: D) => CallTransport>;

export interface DeferredTransportDeps<D> {
  load: TransportLoader<D>;
  deps: D;
  clock: Clock;
  random: () => number;
  logger: Logger;
}

export function createDeferredTransport<D>(options: DeferredTransportDeps<D>): CallTransport {
  const emitter = createEmitter<TransportEvents>();
  let loading: PartRetry | null = null;
  let inner: CallTransport | null = null;
  let stopped = false;
  let status: FeedStatus = { status: 'idle' };

  const setStatus = (next: FeedStatus) => {
    status = next;
    emitter.emit('status', next);
  };

  return {
    start() {
      if (loading !== null || stopped) return;
      loading = loadPartWithRetry({
        load: options.load,
        use: (create) => {
          const transport = create(options.deps);
          inner = transport;
          transport.on('calls', (batch) => emitter.emit('calls', batch));
          transport.on('status', setStatus);
          transport.start();
        },
        onStatus: setStatus,
        what: 'feed: transport code',
        clock: options.clock,
        random: options.random,
        logger: options.logger,
      });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      loading?.stop();
      inner?.stop();
      inner = null;
      emitter.clear();
    },
    nudge() {
      // The page woke up: try the code again now rather than at the end of a long backoff.
      if (inner) inner.nudge();
      else loading?.retryNow();
    },
    get status() {
      return status;
    },
    on(type, handler) {
      return emitter.on(type, handler);
    },
  };
}
