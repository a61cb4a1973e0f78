/**
 * Where the relay's writes go and what expires its store: a relay alone writes its own store and
 * expires it before every read and write (and on a timer); a cluster node writes to the cluster,
 * which expires every copy at the same point of its log, and gets back, from `onEmitted`, what
 * any node's writes changed. Either way `emit` sees each change once, in offset order.
 */
import type { CallEvent, SequencedEvent } from '../../src/protocol';
import type { ClusterLink } from './cluster-link';
import type { BatchOutcome, CallStore } from './store';
import { createSourceWrites } from './cluster/source-writes';

export interface IngestPath {
  /** Expiry before a read or write (nothing in a cluster: the log's ticks expire). */
  maintain(): void;
  /** A POST's events; durable when it settles (rejects with StoreWriteFailed otherwise). */
  ingest(events: readonly CallEvent[]): BatchOutcome | Promise<BatchOutcome>;
  /** A PBX source's events: never refused (a cluster node keeps them while Redis cannot take them). */
  ingestLater(events: readonly CallEvent[]): void;
  /** A PBX source's events not stored yet (only a cluster node has any). */
  waiting(): number;
  /** Stops taking the cluster's changes. */
  close(): void;
}

export function createIngestPath(o: {
  store: CallStore;
  cluster: ClusterLink | undefined;
  now: () => number;
  emit: (emitted: readonly SequencedEvent[]) => void;
  log: (message: string, context?: Record<string, unknown>) => void;
}): IngestPath {
  const { cluster, store } = o;
  if (cluster !== undefined) {
    const unsubscribe = cluster.onEmitted(o.emit);
    const later = createSourceWrites({ submit: (events, now) => cluster.submit(events, now), now: o.now, log: o.log });
    return {
      maintain: () => undefined,
      ingest: (events) => cluster.submit(events, o.now()),
      ingestLater: (events) => later.push(events),
      waiting: () => later.waiting(),
      close() {
        later.close();
        unsubscribe();
      },
    };
  }
  let closed = false;
  const maintain = () => {
    if (closed) return;
    try {
      o.emit(store.expire(o.now()));
    } catch (error) {
      // A failed expiry is retried on the next request or tick; nothing was half-applied.
      o.log('relay: expiry failed', { error: String(error) });
    }
  };
  const ingest = (events: readonly CallEvent[]) => {
    const outcome = store.apply(events, o.now());
    o.emit(outcome.emitted);
    return outcome;
  };
  return {
    maintain,
    ingest,
    ingestLater(events) {
      try {
        maintain();
        ingest(events);
      } catch (error) {
        // The store could not be written: the PBX cannot be asked to resend, so it is said loudly.
        o.log('relay: events from the PBX source could not be stored', { error: String(error), events: events.length });
      }
    },
    waiting: () => 0,
    close() {
      closed = true;
    },
  };
}
