/**
 * The per-address and per-user socket caps over a cluster: every half second each node reports
 * how many sockets it holds per capped address and per user (a Redis hash of its own, dropped a
 * few seconds after the node stops reporting, so a killed node's sockets stop counting), and reads
 * the other live nodes' sums. The guard adds them to its own (guard/subscriber-caps.ts).
 * While Redis is away the last figures stay: a cap errs on the side of holding.
 *
 * A report writes only what changed since the last one (the counts' version says whether any did):
 * unchanged, it only keeps the hash alive. Each write is named in the hash (SLOTS_WRITE_FIELD), so
 * a hash Redis lost or holds older (a restart) is written whole again, as after any failed exchange.
 */
import { randomBytes } from 'node:crypto';
import type { ClusterSlots } from '../cluster-link';
import type { SlotCounts } from '../guard/subscriber-caps';
import { SLOTS_WRITE_FIELD } from './backend';
import type { ClusterBackend } from './backend';

export interface SlotSharing extends ClusterSlots {
  start(): void;
  stop(): void;
}

const field = (kind: 'address' | 'user', key: string) => `${kind === 'address' ? 'a' : 'u'}:${key}`;

/** Node's timers by default; a test's manual clock. */
export interface SlotTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

function fieldsOf(counts: SlotCounts): Map<string, number> {
  const fields = new Map<string, number>();
  for (const [key, n] of counts.address) fields.set(field('address', key), n);
  for (const [key, n] of counts.user) fields.set(field('user', key), n);
  return fields;
}

export function createSlotSharing(o: {
  backend: ClusterBackend;
  nodeId: string;
  everyMs: number;
  /** A report counts this long (a few report intervals). */
  ttlMs: number;
  log: (message: string, context?: Record<string, unknown>) => void;
  timers?: SlotTimers;
}): SlotSharing {
  const timers: SlotTimers = o.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) };
  let counts: (() => SlotCounts) | null = null;
  let others = new Map<string, number>();
  const listeners = new Set<() => void>();
  let timer: unknown = null;
  let busy = false;
  let failing = false;
  // What Redis holds of this node's counts, as far as this node knows; null: unknown, write it whole.
  let written: { name: string; version: number; fields: Map<string, number> } | null = null;
  // Write names: this instance's own (a node id can be reused), never a number (see SLOTS_WRITE_FIELD).
  const instance = randomBytes(4).toString('hex');
  let writes = 0;

  async function report(provider: () => SlotCounts): Promise<void> {
    if (written !== null && written.version === provider().version && (await o.backend.renewSlots(o.nodeId, written.name, o.ttlMs))) return;
    // Read at once with their version (the counts go on changing during the awaits).
    const mine = provider();
    const version = mine.version;
    const fields = fieldsOf(mine);
    const name = `w${(writes += 1)}.${instance}`;
    const last = written;
    written = null; // until this write is known to have landed
    if (last !== null && last.version !== version) {
      const changed = new Map([...fields].filter(([key, n]) => last.fields.get(key) !== n));
      const removed = [...last.fields.keys()].filter((key) => !fields.has(key));
      if (await o.backend.updateSlots(o.nodeId, last.name, name, changed, removed, o.ttlMs)) return void (written = { name, version, fields });
    }
    await o.backend.reportSlots(o.nodeId, new Map<string, number | string>([...fields, [SLOTS_WRITE_FIELD, name]]), o.ttlMs);
    written = { name, version, fields };
  }

  async function exchange(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      if (counts !== null) await report(counts);
      others = await o.backend.otherSlots(o.nodeId, o.ttlMs);
      failing = false;
    } catch (error) {
      if (!failing) o.log('relay: the cluster\'s socket counts could not be exchanged; the last ones hold', { error: String(error) });
      failing = true;
      // Whatever reached Redis, the next report writes the counts whole.
      written = null;
      return;
    } finally {
      busy = false;
    }
    for (const listener of listeners) listener();
  }

  const tick = () => {
    timer = timers.setTimeout(tick, o.everyMs);
    void exchange();
  };

  return {
    others: (kind, key) => others.get(field(kind, key)) ?? 0,
    report(provider) {
      counts = provider;
    },
    onRefresh(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      tick();
    },
    stop() {
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      listeners.clear();
      counts = null;
    },
  };
}
