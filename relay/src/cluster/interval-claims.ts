/**
 * "Once per interval over the cluster" (the per-user click-to-call interval): the first node to
 * set the key in Redis for the interval has it; the others get the time it has left. A Redis that
 * cannot be asked does not block a manager's call: each node's own interval still holds.
 */
import type { ClusterBackend } from './backend';

export type IntervalClaim = (key: string, ttlMs: number) => Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;

export function createIntervalClaims(backend: ClusterBackend, log: (message: string, context?: Record<string, unknown>) => void): IntervalClaim {
  let failing = false;
  return async (key, ttlMs) => {
    try {
      const left = await backend.claimOnce(key, ttlMs);
      failing = false;
      return left === null ? { ok: true } : { ok: false, retryAfterMs: left };
    } catch (error) {
      if (!failing) log('relay: a click-to-call interval could not be claimed in Redis; this node\'s own limit holds', { error: String(error) });
      failing = true;
      return { ok: true };
    }
  };
}
