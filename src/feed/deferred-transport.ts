/**
 * A transport whose code is not in script.js (the polling transport: poll.js) and arrives when
 * `load` answers. Until then it reports `connecting`; when the code cannot load it reports
 * `unavailable` (the settings panel says so) and tries again with the reconnect backoff, so a
 * deploy that lost poll.js, or a network blip, heals by itself. Nothing it does throws.
 */
import type { Clock } from '../core/clock';
import { createEmitter } from '../core/emitter';
import type { Logger } from '../core/logger';
import type { PartLoader } from '../core/part';
import { createSingleTimer } from '../core/timer';
import { backoffDelay } from './backoff';
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
  const timer = createSingleTimer(options.clock);
  let phase: 'idle' | 'loading' | 'waiting' | 'ready' | 'stopped' = 'idle';
  let attempt = 0;
  let inner: CallTransport | null = null;
  let status: FeedStatus = { status: 'idle' };

  const setStatus = (next: FeedStatus) => {
    status = next;
    emitter.emit('status', next);
  };

  function load(): void {
    phase = 'loading';
    attempt += 1;
    setStatus({ status: 'connecting', attempt });
    // A loader answers once; an answer after stop() (or a second one) changes nothing.
    let answered = false;
    const settle = () => !answered && phase === 'loading' && (answered = true);
    const failed = (error: unknown) => {
      if (!settle()) return;
      const retryInMs = backoffDelay(attempt, options.random);
      options.logger.warn('feed: transport code did not load; retrying', { error: String(error), retryInMs });
      phase = 'waiting';
      setStatus({ status: 'unavailable', attempt, retryInMs });
      timer.set(retryInMs, load);
    };
    try {
      options.load((create) => {
        if (!settle()) return;
        try {
          inner = create(options.deps);
        } catch (error) {
          answered = false;
          failed(error);
          return;
        }
        phase = 'ready';
        inner.on('calls', (batch) => emitter.emit('calls', batch));
        inner.on('status', setStatus);
        inner.start();
      }, failed);
    } catch (error) {
      failed(error);
    }
  }

  return {
    start() {
      if (phase === 'idle') load();
    },
    stop() {
      if (phase === 'stopped') return;
      phase = 'stopped';
      timer.clear();
      inner?.stop();
      inner = null;
      emitter.clear();
    },
    nudge() {
      // The page woke up: try the code again now rather than at the end of a long backoff.
      if (phase === 'waiting') {
        timer.clear();
        load();
      } else inner?.nudge();
    },
    get status() {
      return status;
    },
    on(type, handler) {
      return emitter.on(type, handler);
    },
  };
}
