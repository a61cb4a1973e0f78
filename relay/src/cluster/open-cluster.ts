/**
 * The command line's cluster node: Redis from `--redis-url`, the node joined (it waits for Redis
 * up to `joinTimeoutMs`, then fails with what went wrong), the store's limits as the relay's.
 */
import type { StoreLimits } from '../store';
import type { ClusterNode } from './cluster-node';
import { openClusterNode } from './cluster-node';
import { redisAddress } from './command-flags';
import { createRedisBackend } from './redis-backend';

/** How long a node waits for a command's answer, holds the maintainer lease, waits for its own write to come back. */
export const CLUSTER_TIMING = { commandTimeoutMs: 2_000, leaseMs: 3_000, submitTimeoutMs: 5_000, readBlockMs: 1_000, retryMs: 250, slotsEveryMs: 500 };

export async function openCluster(o: {
  url: string;
  prefix: string;
  limits: StoreLimits;
  tickEveryMs: number;
  snapshotEveryMs: number;
  joinTimeoutMs: number;
  log: (message: string, context?: Record<string, unknown>) => void;
}): Promise<ClusterNode> {
  const backend = createRedisBackend({ url: o.url, prefix: o.prefix, commandTimeoutMs: CLUSTER_TIMING.commandTimeoutMs });
  try {
    await backend.waitReady(o.joinTimeoutMs);
    return await openClusterNode({ backend, limits: o.limits, log: o.log, tickEveryMs: o.tickEveryMs, snapshotEveryMs: o.snapshotEveryMs, ...CLUSTER_TIMING });
  } catch (error) {
    await backend.close();
    throw new Error(`cannot join the cluster at ${redisAddress(o.url)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
