/**
 * Cluster mode on the command line (main.ts spreads CLUSTER_FLAGS into its flags): `--redis-url`
 * makes this relay one node of a cluster sharing its store through Redis (docs/cluster.md);
 * nothing else in the configuration changes. The URL may carry a password: it is never printed.
 */
import { UsageError } from '../command-line';
import type { FlagValues, Flags } from '../command-line';

const SECOND = 1000;

export const CLUSTER_FLAGS = {
  'redis-url': {
    type: 'string', value: 'url', secret: true, env: 'RELAY_REDIS_URL',
    description: 'cluster mode: redis://[:password@]host:port[/db] (rediss:// for\nTLS) of the Redis the relay nodes share (docs/cluster.md); the\nstore is then there, not in --data-dir; never printed',
  },
  'redis-prefix': {
    type: 'string', value: 'name', default: 'kommo-relay', env: 'RELAY_REDIS_PREFIX',
    description: 'prefix of the cluster\'s Redis keys (two clusters can share one\nRedis under two prefixes)',
  },
  'cluster-snapshot-every-ms': {
    type: 'integer', value: 'ms', min: SECOND, max: 3_600 * SECOND, default: 30 * SECOND, env: 'RELAY_CLUSTER_SNAPSHOT_EVERY_MS',
    description: 'how often the cluster\'s store is saved whole to Redis, and its\nlog trimmed; a node starting reads the log from the last one',
  },
  'redis-join-timeout-ms': {
    type: 'integer', value: 'ms', min: SECOND, max: 600 * SECOND, default: 15 * SECOND, env: 'RELAY_REDIS_JOIN_TIMEOUT_MS',
    description: 'at start, how long the node waits for Redis before it gives up\n(exit 1, saying why); a supervisor then starts it again',
  },
} as const satisfies Flags;

type ClusterValues = FlagValues<typeof CLUSTER_FLAGS>;

/** What the cluster needs of its URL, the password left out (for the banner and the logs). */
export function redisAddress(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/** A URL that is not Redis's, or a prefix that cannot be a key's: the refusal naming the flag, or null. */
export function clusterFlagsProblem(values: ClusterValues): UsageError | null {
  const url = values['redis-url'];
  if (url === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return new UsageError('--redis-url is not a URL (redis://host:port)');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') return new UsageError(`--redis-url must be redis:// or rediss://, not ${parsed.protocol}//`);
  if (parsed.hostname === '') return new UsageError('--redis-url names no host (redis://host:port)');
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(values['redis-prefix'])) return new UsageError('--redis-prefix: 1 to 64 letters, digits, ".", "_", ":" or "-"');
  return null;
}
