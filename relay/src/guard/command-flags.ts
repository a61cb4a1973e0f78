/**
 * The command line's load and attack limits (main.ts spreads GUARD_FLAGS into its flags):
 * each a RELAY_DEFAULTS entry (options.ts says why its default), a flag and a variable.
 */
import { isIP } from 'node:net';
import { UsageError } from '../command-line';
import type { FlagValues, Flags } from '../command-line';
import { RELAY_DEFAULTS } from '../options';
import type { RelayOptions } from '../options';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const GUARD_FLAGS = {
  'max-pending': {
    type: 'integer', value: 'n', min: 1, max: 1_000_000, default: RELAY_DEFAULTS.maxPending, env: 'RELAY_MAX_PENDING',
    description: 'WebSocket connections not authenticated yet, relay-wide; one more\ncloses the oldest (4408); they hold no subscriber slot',
  },
  'max-pending-per-address': {
    type: 'integer', value: 'n', min: 1, max: 100_000, default: RELAY_DEFAULTS.maxPendingPerAddress, env: 'RELAY_MAX_PENDING_PER_ADDRESS',
    description: 'the same from one client address (loopback is not counted); one\nmore closes that address\'s oldest (4408)',
  },
  'max-subscribers-per-address': {
    type: 'integer', value: 'n', min: 1, max: 1_000_000, default: RELAY_DEFAULTS.maxSubscribersPerAddress, env: 'RELAY_MAX_SUBSCRIBERS_PER_ADDRESS',
    description: 'authenticated WebSockets from one client address (an office\nbehind NAT; loopback is not counted); one more: `overloaded`\n(limit address), close 4503',
  },
  'max-subscribers-per-user': {
    type: 'integer', value: 'n', min: 1, max: 10_000, default: RELAY_DEFAULTS.maxSubscribersPerUser, env: 'RELAY_MAX_SUBSCRIBERS_PER_USER',
    description: 'authenticated WebSockets of one Kommo user (tickets; not the\nlegacy token); one more: `overloaded` (limit user), close 4503',
  },
  'frame-rate': {
    type: 'integer', value: 'n', min: 1, max: 10_000, default: RELAY_DEFAULTS.frameRatePerS, env: 'RELAY_FRAME_RATE',
    description: 'frames per second one WebSocket may send on average; over it:\n`rate_limited`, close 4420 (a widget sends one per 5 s)',
  },
  'frame-burst': {
    type: 'integer', value: 'n', min: 1, max: 100_000, default: RELAY_DEFAULTS.frameBurst, env: 'RELAY_FRAME_BURST',
    description: 'frames one WebSocket may send at once',
  },
  'subscribe-cost': {
    type: 'integer', value: 'n', min: 1, max: 100_000, default: RELAY_DEFAULTS.subscribeCost, env: 'RELAY_SUBSCRIBE_COST',
    description: 'what a subscribe or auth frame counts as (each costs a snapshot\nor a signature check); at most --frame-burst',
  },
  'max-socket-lifetime-ms': {
    type: 'integer', value: 'ms', min: MINUTE, max: 7 * DAY, default: RELAY_DEFAULTS.maxSocketLifetimeMs, env: 'RELAY_MAX_SOCKET_LIFETIME_MS',
    description: 'a WebSocket is closed after this long (4410); the widget\nreconnects and authenticates again',
  },
  'headers-timeout-ms': {
    type: 'integer', value: 'ms', min: SECOND, max: 600_000, default: RELAY_DEFAULTS.headersTimeoutMs, env: 'RELAY_HEADERS_TIMEOUT_MS',
    description: 'HTTP request headers must arrive within this (a connection that\nsends nothing or dribbles is cut: 408)',
  },
  'request-timeout-ms': {
    type: 'integer', value: 'ms', min: SECOND, max: HOUR, default: RELAY_DEFAULTS.requestTimeoutMs, env: 'RELAY_REQUEST_TIMEOUT_MS',
    description: 'a whole HTTP request, body included (a slow body is cut: 408);\nat least --headers-timeout-ms',
  },
  'keep-alive-timeout-ms': {
    type: 'integer', value: 'ms', min: SECOND, max: 600_000, default: RELAY_DEFAULTS.keepAliveTimeoutMs, env: 'RELAY_KEEP_ALIVE_TIMEOUT_MS',
    description: 'an idle HTTP keep-alive connection is closed after this',
  },
  'max-connections': {
    type: 'integer', value: 'n', min: 32, max: 1_000_000, default: RELAY_DEFAULTS.maxConnections, env: 'RELAY_MAX_CONNECTIONS',
    description: 'open TCP connections at once; lowered at start to the open-files\nlimit (ulimit -n) minus 64; beyond it the least useful connection\nis cut (no request yet, unauthenticated, idle keep-alive)',
  },
  'connection-reserve': {
    type: 'integer', value: 'n', min: 1, max: 10_000, default: RELAY_DEFAULTS.connectionReserve, env: 'RELAY_CONNECTION_RESERVE',
    description: 'connections authenticated WebSockets never take (for the PBX,\npolls, newcomers): the subscriber cap stays this far below',
  },
  'trusted-proxies': {
    type: 'string', value: 'addresses', env: 'RELAY_TRUSTED_PROXIES', shownDefault: '127.0.0.1,::1',
    description: 'comma-separated peer addresses whose X-Forwarded-For names the\nclient (its last entry), for the per-address caps: your TLS proxy',
  },
} as const satisfies Flags;

type GuardValues = FlagValues<typeof GUARD_FLAGS>;

/** Flags each in range but wrong together (or a bad address): the refusal, or null. */
export function guardFlagsProblem(values: GuardValues): UsageError | null {
  if (values['subscribe-cost'] > values['frame-burst']) {
    return new UsageError(`--subscribe-cost (${values['subscribe-cost']}) must not exceed --frame-burst (${values['frame-burst']}): no subscribe could pass`);
  }
  if (values['headers-timeout-ms'] > values['request-timeout-ms']) {
    return new UsageError(`--headers-timeout-ms (${values['headers-timeout-ms']}) must not exceed --request-timeout-ms (${values['request-timeout-ms']})`);
  }
  if (values['max-connections'] <= values['connection-reserve']) {
    return new UsageError(`--max-connections (${values['max-connections']}) must exceed --connection-reserve (${values['connection-reserve']})`);
  }
  const wrong = trustedProxies(values).find((address) => isIP(address) === 0);
  return wrong === undefined ? null : new UsageError(`--trusted-proxies: "${wrong}" is not an IP address`);
}

const trustedProxies = (values: GuardValues): string[] => (values['trusted-proxies'] ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);

/** The flags as createRelay / startRelay options. */
export function guardOptions(values: GuardValues): Partial<RelayOptions> {
  const proxies = trustedProxies(values);
  return {
    maxPending: values['max-pending'],
    maxPendingPerAddress: values['max-pending-per-address'],
    maxSubscribersPerAddress: values['max-subscribers-per-address'],
    maxSubscribersPerUser: values['max-subscribers-per-user'],
    frameRatePerS: values['frame-rate'],
    frameBurst: values['frame-burst'],
    subscribeCost: values['subscribe-cost'],
    maxSocketLifetimeMs: values['max-socket-lifetime-ms'],
    headersTimeoutMs: values['headers-timeout-ms'],
    requestTimeoutMs: values['request-timeout-ms'],
    keepAliveTimeoutMs: values['keep-alive-timeout-ms'],
    maxConnections: values['max-connections'],
    connectionReserve: values['connection-reserve'],
    ...(proxies.length > 0 ? { trustedProxies: proxies } : {}),
  };
}
