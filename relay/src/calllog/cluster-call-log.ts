/**
 * The call log on a cluster (docs/cluster.md): one node writes to Kommo, the holder of the
 * `call-log` role. Its outbox is saved whole to Redis shortly after every change, and the node
 * that takes the role next goes on from it: a call whose job is in the outbox (pending, done or
 * failed) is not logged again, and a pending job is tried again. The other nodes answer the
 * call log's status from the outbox as last saved.
 *
 * Between a change and its save (tens of milliseconds) a holder that dies can leave a write to
 * be done again, as a relay alone does after `kill -9` during a request: the call's `uniq` lets
 * Kommo's own list show it once.
 */
import type { CallEvent } from '../../../src/protocol';
import type { ClusterLink } from '../cluster-link';
import type { CallLog } from './call-log';
import { MemoryOutbox } from './memory-outbox';
import type { OutboxState } from './memory-outbox';
import { mirroredOutbox } from './mirrored-outbox';
import type { Outbox } from './outbox';
import type { CallLogStatus } from './status';

type Log = (message: string, context?: Record<string, unknown>) => void;

export const CALL_LOG_ROLE = 'call-log';
const OUTBOX_VALUE = 'call-log-outbox';

type State = { kind: 'idle' } | { kind: 'taking' } | { kind: 'active'; callLog: CallLog; save: () => Promise<void> };

export function decodeOutboxState(payload: string | null, log: Log): OutboxState | null {
  if (payload === null) return null;
  try {
    const raw = JSON.parse(payload) as OutboxState;
    if (typeof raw.lastId === 'number' && Array.isArray(raw.rows) && Array.isArray(raw.tasks)) return raw;
  } catch {
    // Said below.
  }
  log('relay: ERROR the call log\'s outbox in Redis cannot be read; going on with an empty one', { bytes: payload.length });
  return null;
}

export function createClusterCallLog(o: {
  cluster: ClusterLink;
  /** The call log over this outbox (openCallLog's, with the relay's settings). */
  open: (outbox: Outbox) => CallLog;
  /** Every leg the store remembers, when this node takes the role. */
  legs: () => CallEvent[];
  log: Log;
  leaseMs?: number;
  saveDelayMs?: number;
  refreshMs?: number;
}): CallLog {
  const role = o.cluster.role(CALL_LOG_ROLE, o.leaseMs ?? 5_000);
  let state: State = { kind: 'idle' };
  let seen: CallLogStatus | null = null;
  let refresh: NodeJS.Timeout | null = null;
  let closed = false;

  const load = async () => {
    const outbox = new MemoryOutbox();
    const saved = decodeOutboxState(await o.cluster.readShared(OUTBOX_VALUE), o.log);
    if (saved !== null) outbox.restore(saved);
    return outbox;
  };

  async function take(): Promise<void> {
    state = { kind: 'taking' };
    let outbox: MemoryOutbox;
    try {
      outbox = await load();
    } catch (error) {
      // Redis cannot be read: the lease renewal fails too, and the role is taken again later.
      o.log('relay: the call log\'s outbox could not be loaded from Redis', { error: String(error) });
      state = { kind: 'idle' };
      return;
    }
    if (!role.holding() || closed) {
      state = { kind: 'idle' };
      return;
    }
    const mirror = mirroredOutbox(outbox, { write: (value) => o.cluster.writeShared(OUTBOX_VALUE, value), delayMs: o.saveDelayMs ?? 50, log: o.log });
    const callLog = o.open(mirror.outbox);
    state = { kind: 'active', callLog, save: mirror.flush };
    callLog.start(o.legs());
  }

  async function letGo(): Promise<void> {
    if (state.kind !== 'active') return;
    const { callLog, save } = state;
    state = { kind: 'idle' };
    await callLog.close();
    await save();
  }

  role.onChange((holding) => {
    if (holding && state.kind === 'idle') void take();
    if (!holding) void letGo();
  });

  const toStatus = (outbox: MemoryOutbox): CallLogStatus => ({ ...outbox.counts(), pausedUntil: null, unauthorized: false });

  return {
    start() {
      role.start();
      // The other nodes' view: the outbox as last saved.
      refresh = setInterval(() => {
        if (state.kind === 'active') return;
        load().then(
          (outbox) => (seen = toStatus(outbox)),
          (error: unknown) => o.log('relay: the call log\'s outbox could not be read from Redis for its status', { error: String(error) }),
        );
      }, o.refreshMs ?? 2_000);
    },
    observe(events) {
      if (state.kind === 'active') state.callLog.observe(events);
    },
    status() {
      if (state.kind === 'active') return state.callLog.status();
      return seen ?? toStatus(new MemoryOutbox());
    },
    async close() {
      closed = true;
      if (refresh !== null) clearInterval(refresh);
      refresh = null;
      await letGo();
      await role.stop();
    },
  };
}
