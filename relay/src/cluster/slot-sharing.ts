/**
 * The per-address and per-user socket caps over a cluster: every half second each node reports
 * how many sockets it holds per capped address and per user (a Redis hash of its own, dropped a
 * few seconds after the node stops reporting, so a killed node's sockets stop counting), and reads
 * the other live nodes' sums. The guard adds them to its own (guard/subscriber-caps.ts).
 * While Redis is away the last figures stay: a cap errs on the side of holding.
 */
import type { ClusterSlots } from '../cluster-link';
import type { SlotCounts } from '../guard/subscriber-caps';
import type { ClusterBackend } from './backend';

export interface SlotSharing extends ClusterSlots {
  start(): void;
  stop(): void;
}

const field = (kind: 'address' | 'user', key: string) => `${kind === 'address' ? 'a' : 'u'}:${key}`;

export function createSlotSharing(o: {
  backend: ClusterBackend;
  nodeId: string;
  everyMs: number;
  /** A report counts this long (a few report intervals). */
  ttlMs: number;
  log: (message: string, context?: Record<string, unknown>) => void;
}): SlotSharing {
  let counts: (() => SlotCounts) | null = null;
  let others = new Map<string, number>();
  const listeners = new Set<() => void>();
  let timer: NodeJS.Timeout | null = null;
  let busy = false;
  let failing = false;

  async function exchange(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      if (counts !== null) {
        const mine = counts();
        const fields = new Map<string, number>();
        for (const [key, n] of mine.address) fields.set(field('address', key), n);
        for (const [key, n] of mine.user) fields.set(field('user', key), n);
        await o.backend.reportSlots(o.nodeId, fields, o.ttlMs);
      }
      others = await o.backend.otherSlots(o.nodeId, o.ttlMs);
      failing = false;
    } catch (error) {
      if (!failing) o.log('relay: the cluster\'s socket counts could not be exchanged; the last ones hold', { error: String(error) });
      failing = true;
      return;
    } finally {
      busy = false;
    }
    for (const listener of listeners) listener();
  }

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
      timer = setInterval(() => void exchange(), o.everyMs);
      void exchange();
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      listeners.clear();
      counts = null;
    },
  };
}
