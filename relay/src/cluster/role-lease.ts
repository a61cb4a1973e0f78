/**
 * A role one node of the cluster holds at a time, by a lease in Redis (`<prefix>:lease:<name>`):
 * taken when free, renewed every third of its time while held, lost when a renewal fails (the
 * node cannot tell whether another took it) and released on stop, so that another node takes it
 * at once rather than when it runs out. A node that dies holds it at most `ttlMs` more.
 * A listener is told why it lost the role: `unreachable` (Redis did not answer: no node can
 * take it meanwhile) is not `lost` (another node holds it now), and a node that kept working
 * through `unreachable` (the PBX connection) hears `lost` when Redis answers that it is taken.
 */
import type { ClusterBackend } from './backend';
import type { RoleChange } from '../cluster-link';

export interface RoleLease {
  readonly name: string;
  holding(): boolean;
  /** Called with true when this node takes the role, false when it loses it, and why. */
  onChange(listener: (holding: boolean, why: RoleChange) => void): void;
  start(): void;
  stop(): Promise<void>;
}

export function createRoleLease(o: {
  backend: ClusterBackend;
  name: string;
  nodeId: string;
  ttlMs: number;
  log: (message: string, context?: Record<string, unknown>) => void;
}): RoleLease {
  /** `unknown`: this node held the role and the last renewal failed, so it cannot tell who holds it now. */
  let state: 'held' | 'free' | 'unknown' = 'free';
  let stopped = false;
  let renewing = false;
  let failing = false;
  let timer: NodeJS.Timeout | null = null;
  const listeners: Array<(holding: boolean, why: RoleChange) => void> = [];

  function set(next: 'held' | 'free' | 'unknown', why: RoleChange): void {
    if (next === state) return;
    state = next;
    if (next === 'held') o.log(`relay: this node holds the cluster's ${o.name} role`, { node: o.nodeId });
    for (const listener of listeners) listener(next === 'held', why);
  }

  async function renew(): Promise<void> {
    if (renewing || stopped) return;
    renewing = true;
    try {
      const held = await o.backend.holdLease(o.name, o.nodeId, o.ttlMs);
      failing = false;
      if (!stopped) set(held ? 'held' : 'free', held ? 'taken' : 'lost');
    } catch (error) {
      if (!failing) o.log(`relay: the cluster's ${o.name} lease could not be renewed (Redis did not answer)`, { error: String(error) });
      failing = true;
      // Only a holder is unsure: a node that did not hold the role still does not.
      if (!stopped && state === 'held') set('unknown', 'unreachable');
    } finally {
      renewing = false;
    }
  }

  return {
    name: o.name,
    holding: () => state === 'held',
    onChange(listener) {
      listeners.push(listener);
    },
    start() {
      void renew();
      timer = setInterval(() => void renew(), Math.max(50, Math.floor(o.ttlMs / 3)));
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
      if (state === 'held') await o.backend.releaseLease(o.name, o.nodeId).catch(() => undefined);
      set('free', 'stopped');
    },
  };
}
