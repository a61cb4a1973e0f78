/**
 * Click-to-call on the command line (main.ts spreads ORIGINATE_FLAGS into its flags): where the
 * PBX's originate endpoint is, its bearer, the adapter's timeout and the per-user rate limit.
 * Without `--originate-url` click-to-call is off (404 `originate_disabled`); `--dev` sets none.
 */
import { UsageError } from '../command-line';
import type { FlagValues, Flags } from '../command-line';
import { RELAY_DEFAULTS } from '../options';
import type { RelayOptions } from '../options';
import { checkOriginateUrl, createHttpAdapter } from './http-adapter';

export const ORIGINATE_FLAGS = {
  'originate-url': {
    type: 'string', value: 'url', env: 'RELAY_ORIGINATE_URL',
    description: 'click-to-call: the http(s) URL of the PBX\'s originate endpoint\n(docs/originate.md); absent: POST /originate answers 404',
  },
  'originate-token': {
    type: 'string', value: 'secret', secret: true, env: 'RELAY_ORIGINATE_TOKEN',
    description: 'the bearer the relay presents to the PBX on each originate\n(Authorization: Bearer); never logged',
  },
  'originate-timeout-ms': {
    type: 'integer', value: 'ms', min: 500, max: 60_000, default: RELAY_DEFAULTS.originateTimeoutMs, env: 'RELAY_ORIGINATE_TIMEOUT_MS',
    description: 'a PBX that has not answered an originate by then is cut\n(504 pbx_timeout)',
  },
  'originate-interval-ms': {
    type: 'integer', value: 'ms', min: 0, max: 60_000, default: RELAY_DEFAULTS.originateIntervalMs, env: 'RELAY_ORIGINATE_INTERVAL_MS',
    description: 'one originate per user (legacy token: per extension) per\ninterval; more: 429 rate_limited; 0 turns the limit off',
  },
  'max-originates-in-flight': {
    type: 'integer', value: 'n', min: 1, max: 10_000, default: RELAY_DEFAULTS.maxOriginatesInFlight, env: 'RELAY_MAX_ORIGINATES_IN_FLIGHT',
    description: 'originates waiting on the PBX at once, relay-wide; more: 503\noverloaded (a stuck PBX cannot pile them up)',
  },
} as const satisfies Flags;

type OriginateValues = FlagValues<typeof ORIGINATE_FLAGS>;

/** A bad URL, or a token without a URL: the refusal naming the flag, or null. */
export function originateFlagsProblem(values: OriginateValues): UsageError | null {
  const url = values['originate-url'];
  if (url === undefined) {
    return values['originate-token'] === undefined ? null : new UsageError('--originate-token needs --originate-url (the PBX endpoint it is presented to)');
  }
  try {
    checkOriginateUrl(url);
  } catch (error) {
    return new UsageError(`--originate-url ${(error as Error).message}`);
  }
  return null;
}

/** The flags as RelayOptions (the generic HTTP adapter; without `--originate-url` no `originate`: click-to-call off). Check originateFlagsProblem first. */
export function originateOptions(values: OriginateValues): Pick<RelayOptions, 'originate' | 'maxOriginatesInFlight'> {
  const url = values['originate-url'];
  const maxOriginatesInFlight = values['max-originates-in-flight'];
  if (url === undefined) return { maxOriginatesInFlight };
  const token = values['originate-token'];
  return {
    originate: {
      adapter: createHttpAdapter({ url, timeoutMs: values['originate-timeout-ms'], ...(token === undefined ? {} : { token }) }),
      intervalMs: values['originate-interval-ms'],
    },
    maxOriginatesInFlight,
  };
}

/** The start line that says click-to-call is on, and where the PBX is; null when it is off. */
export function originateBanner(values: OriginateValues, relayUrl: string): string | null {
  const url = values['originate-url'];
  return url === undefined ? null : `  click-to-call:   POST ${relayUrl}/originate  (PBX ${new URL(url).origin})`;
}
