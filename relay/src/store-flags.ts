/**
 * The command line's call legs and recovery history (main.ts spreads STORE_FLAGS into its flags):
 * how many legs, how long each state lasts, how much history a reconnecting widget can recover,
 * each a RELAY_DEFAULTS entry (options.ts says why its default), a flag and a variable.
 */
import { UsageError } from './command-line';
import type { FlagValues, Flags } from './command-line';
import { RELAY_DEFAULTS } from './options';
import type { RelayOptions } from './options';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const STORE_FLAGS = {
  'max-calls': {
    type: 'integer', value: 'n', min: 1, max: 10_000_000, default: RELAY_DEFAULTS.maxCalls, env: 'RELAY_MAX_CALLS',
    description: 'call legs remembered at once, live and ended; a new one beyond\nevicts the oldest ended leg, or is refused (503 full) when all\nare live',
  },
  'ringing-max-age-ms': {
    type: 'integer', value: 'ms', min: MINUTE, max: DAY, default: RELAY_DEFAULTS.ringingMaxAgeMs, env: 'RELAY_RINGING_MAX_AGE_MS',
    description: 'a leg ringing this long is ended by the relay ("expired": true)',
  },
  'answered-max-age-ms': {
    type: 'integer', value: 'ms', min: MINUTE, max: 7 * DAY, default: RELAY_DEFAULTS.answeredMaxAgeMs, env: 'RELAY_ANSWERED_MAX_AGE_MS',
    description: 'a leg answered this long is ended by the relay ("expired": true)',
  },
  'ended-listed-ms': {
    type: 'integer', value: 'ms', min: MINUTE, max: HOUR, default: RELAY_DEFAULTS.endedRetentionMs, env: 'RELAY_ENDED_LISTED_MS',
    description: 'ended legs stay in poll answers and version-2 snapshots this\nlong (the protocol says 60 s, so no less); at most\n--ended-remembered-ms',
  },
  'ended-remembered-ms': {
    type: 'integer', value: 'ms', min: MINUTE, max: DAY, default: RELAY_DEFAULTS.endedKeepMs, env: 'RELAY_ENDED_REMEMBERED_MS',
    description: 'ended legs are remembered this long, so a late repeat of their\nevents changes nothing',
  },
  'history-max-per-extension': {
    type: 'integer', value: 'n', min: 1, max: 100_000, default: RELAY_DEFAULTS.historyMaxPerExtension, env: 'RELAY_HISTORY_MAX_PER_EXTENSION',
    description: 'recovery history (version 2): events kept per extension; the\noldest go first',
  },
  'history-max-events': {
    type: 'integer', value: 'n', min: 1, max: 10_000_000, default: RELAY_DEFAULTS.historyMaxEvents, env: 'RELAY_HISTORY_MAX_EVENTS',
    description: 'recovery history: events kept in all',
  },
  'history-max-age-ms': {
    type: 'integer', value: 'ms', min: 10 * SECOND, max: DAY, default: RELAY_DEFAULTS.historyMaxAgeMs, env: 'RELAY_HISTORY_MAX_AGE_MS',
    description: 'recovery history: older events are forgotten (a widget away\nlonger gets the snapshot)',
  },
  'expire-every-ms': {
    type: 'integer', value: 'ms', min: 100, max: MINUTE, default: RELAY_DEFAULTS.expireEveryMs, env: 'RELAY_EXPIRE_EVERY_MS',
    description: 'how often expiry runs without traffic (it also runs before\nevery read and write)',
  },
} as const satisfies Flags;

type StoreValues = FlagValues<typeof STORE_FLAGS>;

/** Each in range but wrong together: a leg cannot be listed after it is forgotten. */
export function storeFlagsProblem(values: StoreValues): UsageError | null {
  if (values['ended-listed-ms'] <= values['ended-remembered-ms']) return null;
  return new UsageError(`--ended-listed-ms (${values['ended-listed-ms']}) must not exceed --ended-remembered-ms (${values['ended-remembered-ms']}): a forgotten leg cannot be listed`);
}

export function storeOptions(values: StoreValues): Partial<RelayOptions> {
  return {
    maxCalls: values['max-calls'],
    ringingMaxAgeMs: values['ringing-max-age-ms'],
    answeredMaxAgeMs: values['answered-max-age-ms'],
    endedRetentionMs: values['ended-listed-ms'],
    endedKeepMs: values['ended-remembered-ms'],
    historyMaxPerExtension: values['history-max-per-extension'],
    historyMaxEvents: values['history-max-events'],
    historyMaxAgeMs: values['history-max-age-ms'],
    expireEveryMs: values['expire-every-ms'],
  };
}
