/**
 * A PBX source's events on a cluster node (the Asterisk adapter): unlike a POSTing PBX, AMI
 * cannot be told "503, send it again", so the node keeps what Redis could not take and writes it
 * once Redis is back, in the order the PBX gave it, one batch at a time. Bounded: past
 * `maxEvents` the oldest are dropped, each drop said in the log (the PBX's next resync ends what
 * was lost as `expired`).
 */
import type { CallEvent } from '../../../src/protocol';
import type { BatchOutcome } from '../store';

type Log = (message: string, context?: Record<string, unknown>) => void;

export interface SourceWrites {
  push(events: readonly CallEvent[]): void;
  /** Events not yet written to the cluster (for /health). */
  waiting(): number;
  close(): void;
}

export function createSourceWrites(o: {
  submit: (events: readonly CallEvent[], now: number) => Promise<BatchOutcome>;
  now: () => number;
  log: Log;
  retryMs?: number;
  maxEvents?: number;
  /** Events per log entry at most (a POST's own cap is of the same order). */
  maxBatch?: number;
}): SourceWrites {
  const retryMs = o.retryMs ?? 1_000;
  const maxEvents = o.maxEvents ?? 50_000;
  const maxBatch = o.maxBatch ?? 500;
  const queue: CallEvent[] = [];
  let writing = false;
  let failing = false;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  async function drain(): Promise<void> {
    if (writing || closed) return;
    writing = true;
    try {
      while (queue.length > 0 && !closed) {
        const batch = queue.slice(0, maxBatch);
        try {
          await o.submit(batch, o.now());
        } catch (error) {
          if (!failing) o.log('relay: the PBX\'s events cannot be written to the cluster now; they wait on this node', { waiting: queue.length, error: String(error) });
          failing = true;
          retry = setTimeout(() => ((retry = null), void drain()), retryMs);
          return;
        }
        queue.splice(0, batch.length);
        if (failing) o.log('relay: the PBX\'s waiting events are being written to the cluster again', { waiting: queue.length });
        failing = false;
      }
    } finally {
      writing = false;
    }
  }

  return {
    push(events) {
      if (closed) return;
      queue.push(...events);
      if (queue.length > maxEvents) {
        const dropped = queue.splice(0, queue.length - maxEvents);
        o.log('relay: ERROR too many PBX events wait for Redis; the oldest are dropped', { dropped: dropped.length, kept: maxEvents });
      }
      if (retry === null) void drain();
    },
    waiting: () => queue.length,
    close() {
      closed = true;
      if (retry !== null) clearTimeout(retry);
      retry = null;
      if (queue.length > 0) o.log('relay: the node stops with PBX events not written to the cluster', { waiting: queue.length });
    },
  };
}
