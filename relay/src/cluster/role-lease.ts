/**
 * A role one node of the cluster holds at a time, by a lease in Redis (`<prefix>:lease:<name>`):
 * taken when free, renewed every third of its time while held, lost when a renewal fails (the
 * node cannot tell whether another took it) and released on stop, so that another node takes it
 * at once rather than when it runs out. A node that dies holds it at most `ttlMs` more.
 */
import type { ClusterBackend } from './backend';

export interface RoleLease {
  readonly name: string;
  holding(): boolean;
  /** Called with true when this node takes the role, false when it loses it. */
  onChange(listener: (holding: boolean) => void): void;
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
  let holding = false;
  let stopped = false;
  let renewing = false;
  let failing = false;
  let timer: NodeJS.Timeout | null = null;
  const listeners: Array<(holding: boolean) => void> = [];

  function set(next: boolean): void {
    if (next === holding) return;
    holding = next;
    if (next) o.log(`relay: this node holds the cluster's ${o.name} role`, { node: o.nodeId });
    for (const listener of listeners) listener(next);
  }

  async function renew(): Promise<void> {
    if (renewing || stopped) return;
    renewing = true;
    try {
      const held = await o.backend.holdLease(o.name, o.nodeId, o.ttlMs);
      failing = false;
      if (!stopped) set(held);
    } catch (error) {
      if (!failing) o.log(`relay: the cluster's ${o.name} lease could not be renewed; this node lets the role go`, { error: String(error) });
      failing = true;
      set(false);
    } finally {
      renewing = false;
    }
  }

  return {
    name: o.name,
    holding: () => holding,
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
      if (holding) await o.backend.releaseLease(o.name, o.nodeId).catch(() => undefined);
      set(false);
    },
  };
}
