/**
 * One relay node of a cluster: the shell around the shared log. It owns the timers and the
 * blocking read; what an entry does is replica.ts, what a node starts from is join.ts.
 *  - A write (`submit`) appends the POST's events to the log and answers once this node has
 *    applied them, with their outcome; a Redis that cannot take them fails it at once.
 *  - Every node reads the whole log and applies it to its copy: that is the fan-out, the same
 *    events at the same offsets on every node.
 *  - One node, the holder of the `maintainer` lease, appends the clock ticks that expire legs
 *    and writes the snapshots that let the log be trimmed.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { CallEvent, SequencedEvent } from '../../../src/protocol';
import type { ClusterLink } from '../cluster-link';
import { StoreWriteFailed } from '../errors';
import type { BatchOutcome, StoreLimits } from '../store';
import type { ClusterBackend, LogRecord } from './backend';
import { joinCluster } from './join';
import { decodeEntry, encodeEntry } from './log-entry';
import type { Replica } from './replica';
import { createMaintainer } from './maintainer';
import { createSlotSharing } from './slot-sharing';
import { createIntervalClaims } from './interval-claims';
import { WriteWaiters } from './write-waiters';
import { RoleAsks } from './role-asks';
import { Reachability } from './reachability';
import { createRoleLease } from './role-lease';
import type { RoleLease } from './role-lease';

export interface ClusterNodeOptions {
  backend: ClusterBackend;
  limits: StoreLimits;
  log: (message: string, context?: Record<string, unknown>) => void;
  now?: () => number;
  nodeId?: string;
  /** The maintainer's expiry ticks (the relay's expire-every-ms). */
  tickEveryMs: number;
  snapshotEveryMs: number;
  leaseMs: number;
  /** A write not applied here within this long is answered 503 (it may still be applied: the PBX's retry is harmless). */
  submitTimeoutMs: number;
  readBlockMs: number;
  /** A failed read is tried again after this long. */
  retryMs: number;
  /** How often the nodes exchange their socket counts (the caps over the cluster). */
  slotsEveryMs: number;
}

export interface ClusterNode extends ClusterLink {
  readonly nodeId: string;
  close(): Promise<void>;
}

export const newNodeId = () => `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

export async function openClusterNode(o: ClusterNodeOptions): Promise<ClusterNode> {
  const now = o.now ?? Date.now;
  const nodeId = o.nodeId ?? newNodeId();
  const listeners = new Set<(emitted: readonly SequencedEvent[]) => void>();
  const waiters = new WriteWaiters(nodeId, o.submitTimeoutMs);
  const asks = new RoleAsks({ nodeId, now, append: (entry) => o.backend.append(encodeEntry(entry)), log: o.log });

  function applyRecord(replica: Replica, record: LogRecord): void {
    const decoded = decodeEntry(record.payload);
    if (!decoded.ok) {
      o.log('relay: a cluster log entry that cannot be read was skipped', { id: record.id, reason: decoded.reason });
      return;
    }
    if (decoded.entry.kind === 'ask' || decoded.entry.kind === 'answer') return asks.read(decoded.entry);
    const applied = replica.apply(decoded.entry);
    for (const listener of applied.emitted.length > 0 ? listeners : []) {
      try {
        listener(applied.emitted);
      } catch (error) {
        o.log('relay: a cluster listener failed', { error: String(error) });
      }
    }
    if (decoded.entry.kind === 'events' && applied.outcome !== null) waiters.settle(decoded.entry.source, applied.outcome);
  }

  const joined = await joinCluster({ backend: o.backend, limits: o.limits, log: o.log, apply: applyRecord });
  const { replica, epoch } = joined;
  let lastId = joined.lastId;
  let closed = false;
  let pause: { timer: NodeJS.Timeout; done: () => void } | null = null;

  const maintainer = createMaintainer({
    backend: o.backend,
    nodeId,
    epoch,
    log: o.log,
    now,
    leaseMs: o.leaseMs,
    tickEveryMs: o.tickEveryMs,
    snapshotEveryMs: o.snapshotEveryMs,
    position: () => ({ id: lastId, clock: replica.clock, state: replica.store.save() }),
    up: () => redis.up,
  }, joined.snapshotId);
  const redis = new Reachability({ now, log: o.log, onBack: () => void maintainer.afterOutage() });

  const wait = (ms: number) =>
    new Promise<void>((done) => {
      pause = { timer: setTimeout(() => ((pause = null), done()), ms), done };
    });

  async function readLoop(): Promise<void> {
    while (!closed) {
      let batch: LogRecord[];
      try {
        batch = await o.backend.read(lastId, o.readBlockMs, 500);
      } catch (error) {
        if (closed) return;
        redis.down(error);
        await wait(o.retryMs);
        continue;
      }
      redis.back(lastId);
      for (const record of batch) {
        applyRecord(replica, record);
        lastId = record.id;
      }
    }
  }

  async function submit(events: readonly CallEvent[], at: number): Promise<BatchOutcome> {
    if (closed) throw new StoreWriteFailed('cluster append (the node is closing)');
    const { source, outcome } = waiters.open();
    try {
      await o.backend.append(encodeEntry({ kind: 'events', now: at, events, source }));
    } catch (error) {
      waiters.drop(source, outcome);
      throw new StoreWriteFailed('cluster append', { cause: error });
    }
    return outcome;
  }

  const roles: RoleLease[] = [];
  const slots = createSlotSharing({ backend: o.backend, nodeId, everyMs: o.slotsEveryMs, ttlMs: o.slotsEveryMs * 6, log: o.log });
  const reading = readLoop();
  maintainer.start();
  slots.start();

  return {
    nodeId,
    store: replica.store,
    submit,
    slots,
    claimInterval: createIntervalClaims(o.backend, o.log),
    role(name, ttlMs) {
      const lease = createRoleLease({ backend: o.backend, name, nodeId, ttlMs, log: o.log });
      roles.push(lease);
      return lease;
    },
    ask: (role, body, timeoutMs) => asks.ask(role, body, timeoutMs),
    answer: (role, handler) => asks.answer(role, handler),
    readShared: (name) => o.backend.readValue(name),
    writeShared: (name, value) => o.backend.writeValue(name, value),
    onEmitted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    health: () => ({
      node: nodeId,
      ...redis.health(),
      applied: lastId,
      maintainer: maintainer.holding(),
      roles: roles.filter((lease) => lease.holding()).map((lease) => lease.name),
      snapshot: maintainer.lastSnapshot(),
      writes_waiting: waiters.size,
      asks_waiting: asks.size,
    }),
    async close() {
      if (closed) return;
      closed = true;
      slots.stop();
      await Promise.all(roles.map((lease) => lease.stop()));
      const paused = pause as { timer: NodeJS.Timeout; done: () => void } | null;
      if (paused !== null) {
        clearTimeout(paused.timer);
        paused.done();
      }
      waiters.rejectAll('cluster apply (the node is closing)');
      asks.close();
      await maintainer.stop();
      await o.backend.close();
      await reading;
    },
  };
}
