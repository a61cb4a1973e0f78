/**
 * What `GET /health` tells the holder of the PBX token (relay/README.md "Health"): the legs and
 * history held, the stream position, the sockets, the call log's outbox, and the PBX source's
 * connection when the relay reads a PBX itself.
 */
import type { CallLogStatus } from './calllog/status';
import { healthView } from './calllog/status';
import type { PbxSource } from './pbx-source';
import type { CallStore } from './store';

export function healthFigures(o: {
  store: CallStore;
  sockets: { subscribers: number; pending: number };
  callLog: CallLogStatus | null;
  source: PbxSource | undefined;
}): Record<string, unknown> {
  const { legs, history } = o.store.counts();
  const { epoch, offset } = o.store.position();
  const pbx = o.source === undefined ? {} : { pbx: o.source.status() };
  return { ok: true, calls: legs, ...o.sockets, store: o.store.kind, history, epoch, offset, call_log: healthView(o.callLog), ...pbx };
}
