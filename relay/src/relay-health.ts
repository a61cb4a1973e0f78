/**
 * What `GET /health` tells the holder of the PBX token (relay/README.md "Health"): the legs and
 * history held, the stream position, the sockets, the call log's outbox, and the PBX source's
 * connection when the relay reads a PBX itself, and this node's view of its cluster.
 */
import type { CallLogStatus } from './calllog/status';
import { healthView } from './calllog/status';
import type { PbxSource } from './pbx-source';
import type { CallStore } from './store';
import type { ClusterLink } from './cluster-link';

export function healthFigures(o: {
  store: CallStore;
  sockets: { subscribers: number; pending: number };
  callLog: CallLogStatus | null;
  source: PbxSource | undefined;
  /** The source's events this node has not stored yet (a cluster node while Redis is away). */
  sourceWaiting?: number;
  cluster: ClusterLink | undefined;
}): Record<string, unknown> {
  const { legs, history } = o.store.counts();
  const { epoch, offset } = o.store.position();
  const pbx = o.source === undefined ? {} : { pbx: { ...o.source.status(), ...(o.cluster === undefined ? {} : { events_waiting: o.sourceWaiting ?? 0 }) } };
  const cluster = o.cluster === undefined ? {} : { cluster: o.cluster.health() };
  // A cluster node's copy is in memory; the store is Redis.
  return { ok: true, calls: legs, ...o.sockets, store: o.cluster === undefined ? o.store.kind : 'redis', history, epoch, offset, call_log: healthView(o.callLog), ...pbx, ...cluster };
}
