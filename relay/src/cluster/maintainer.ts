/**
 * The cluster's housekeeping, done by one node at a time (the holder of the `maintainer` lease;
 * when it dies, the lease runs out and another node takes it):
 *  - a clock tick in the log every tick interval, so legs and history expire at the same point
 *    of the log on every node;
 *  - a snapshot of its copy every snapshot interval, and the log trimmed to the snapshot before
 *    (not to this one: a node that just read the previous snapshot still finds its next entries).
 * Every node, after an outage, checks that Redis still holds the cluster's epoch: a Redis that
 * restarted empty (no persistence) is seeded again from this node's copy, so new nodes join it.
 */
import type { SavedState } from '../memory-store';
import type { ClusterBackend } from './backend';
import { encodeEntry } from './log-entry';
import { encodeSnapshot } from './snapshot';
import { createRoleLease } from './role-lease';

export const MAINTAINER_LEASE = 'maintainer';

export interface Maintainer {
  start(): void;
  holding(): boolean;
  /** The last snapshot this node wrote or started from. */
  lastSnapshot(): string | null;
  afterOutage(): Promise<void>;
  stop(): Promise<void>;
}

export function createMaintainer(
  o: {
    backend: ClusterBackend;
    nodeId: string;
    epoch: string;
    log: (message: string, context?: Record<string, unknown>) => void;
    now: () => number;
    leaseMs: number;
    tickEveryMs: number;
    snapshotEveryMs: number;
    /** The copy as of the last entry applied. */
    position: () => { id: string; clock: number; state: SavedState };
    up: () => boolean;
  },
  lastSnapshot: string | null,
): Maintainer {
  const lease = createRoleLease({ backend: o.backend, name: MAINTAINER_LEASE, nodeId: o.nodeId, ttlMs: o.leaseMs, log: o.log });
  let ticks: NodeJS.Timeout | null = null;
  let snapshotAt = o.now();
  let snapshotId = lastSnapshot;
  let snapshotting = false;
  let failing = false;

  async function snapshot(seeded = false): Promise<void> {
    const { id, clock, state } = o.position();
    if (id === snapshotId || id === '0-0') return;
    const trimBefore = seeded ? null : snapshotId;
    await o.backend.saveSnapshot(encodeSnapshot({ epoch: o.epoch, id, clock, state, seeded }), trimBefore);
    snapshotId = id;
    snapshotAt = o.now();
  }

  async function maybeSnapshot(): Promise<void> {
    if (snapshotting || o.now() - snapshotAt < o.snapshotEveryMs) return;
    snapshotting = true;
    try {
      await snapshot();
      failing = false;
    } catch (error) {
      if (!failing) o.log('relay: the cluster snapshot could not be written; tried again', { error: String(error) });
      failing = true;
    } finally {
      snapshotting = false;
    }
  }

  function tick(): void {
    if (!lease.holding() || !o.up()) return;
    o.backend.append(encodeEntry({ kind: 'tick', now: o.now() })).catch(() => undefined);
    void maybeSnapshot();
  }

  return {
    start() {
      lease.start();
      ticks = setInterval(tick, o.tickEveryMs);
    },
    holding: () => lease.holding(),
    lastSnapshot: () => snapshotId,
    async afterOutage() {
      try {
        const { epoch, created } = await o.backend.claimEpoch(o.epoch);
        if (created) {
          o.log('relay: Redis came back without the cluster\'s state (was it persisted?); seeding it from this node\'s copy', { epoch });
          snapshotId = null;
          await snapshot(true);
        } else if (epoch !== o.epoch) {
          o.log('relay: ERROR Redis now holds another cluster epoch; restart this node to join it', { ours: o.epoch, redis: epoch });
        }
      } catch (error) {
        o.log('relay: the cluster epoch could not be checked after the outage', { error: String(error) });
      }
    },
    async stop() {
      if (ticks !== null) clearInterval(ticks);
      ticks = null;
      await lease.stop();
    },
  };
}
