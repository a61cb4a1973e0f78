/**
 * The call log on the command line (main.ts spreads CALL_LOG_FLAGS into its flags): the Kommo
 * API token of a private integration turns it on; the rest say what it writes. Without
 * `--kommo-api-token` the relay logs nothing (the widget's bell notifications are unchanged).
 * docs/call-log.md describes each rule.
 */
import { UsageError } from '../command-line';
import type { FlagValues, Flags } from '../command-line';
import { checkKommoBaseUrl, createKommoApi } from '../kommo/client';
import { createKommoLimiter } from '../kommo/limiter';
import type { RelayOptions } from '../options';
import type { CallLogConfig } from './types';
import { DEFAULT_UNKNOWN_CALLERS, parseUnknownCallers } from './unknown-callers';

const MINUTE = 60_000;

export const CALL_LOG_DEFAULTS = {
  source: 'Telephony relay',
  callBackTaskDelayMin: 30,
  settleMs: 5_000,
  /** Kommo allows 7 requests a second per integration: one to spare for the admin's own scripts. */
  requestsPerS: 6,
} as const;

export const CALL_LOG_FLAGS = {
  'kommo-api-token': {
    type: 'string', value: 'secret', secret: true, env: 'RELAY_KOMMO_API_TOKEN',
    description: 'call log: the long-lived token of a private Kommo integration\n(Settings > Integrations > Keys and scopes); turns the call log\non; never sent to a browser, never logged',
  },
  'kommo-api-url': {
    type: 'string', value: 'url', env: 'RELAY_KOMMO_API_URL',
    description: 'call log: the account\'s API address, https://<subdomain>.kommo.com\n(default: --kommo-origin)',
  },
  'call-log-source': {
    type: 'string', value: 'name', default: CALL_LOG_DEFAULTS.source, env: 'RELAY_CALL_LOG_SOURCE',
    description: 'call log: the `source` Kommo shows on each logged call',
  },
  'unknown-callers': {
    type: 'string', value: 'policy', default: DEFAULT_UNKNOWN_CALLERS, env: 'RELAY_UNKNOWN_CALLERS',
    description: 'call log: a number Kommo knows no card for, per direction and\noutcome: direction[-outcome]=lead|contact|nothing, comma-separated\n(outcomes: talked, no_answer, busy, failed); lead: an incoming\nlead (unsorted), contact: a new contact with the call on it',
  },
  'call-back-tasks': {
    type: 'string', value: 'mode', default: 'close-on-answer', choices: ['close-on-answer', 'keep', 'off'], env: 'RELAY_CALL_BACK_TASKS',
    description: 'call log: a missed inbound call gets a call-back task; an\nanswered call with that number before it is due completes it\n(close-on-answer), or not (keep); off: no tasks',
  },
  'call-back-task-delay-min': {
    type: 'integer', value: 'min', min: 0, max: 7 * 24 * 60, default: CALL_LOG_DEFAULTS.callBackTaskDelayMin, env: 'RELAY_CALL_BACK_TASK_DELAY_MIN',
    description: 'call log: the call-back task is due this long after the missed\ncall',
  },
  'call-log-settle-ms': {
    type: 'integer', value: 'ms', min: 0, max: 10 * MINUTE, default: CALL_LOG_DEFAULTS.settleMs, env: 'RELAY_CALL_LOG_SETTLE_MS',
    description: 'call log: a call is logged once every leg ended and none began\nfor this long (a transfer\'s next leg is part of the same call)',
  },
  'kommo-api-rps': {
    type: 'integer', value: 'n', min: 1, max: 7, default: CALL_LOG_DEFAULTS.requestsPerS, env: 'RELAY_KOMMO_API_RPS',
    description: 'call log: requests per second to Kommo\'s API (Kommo allows 7)',
  },
} as const satisfies Flags;

type CallLogValues = FlagValues<typeof CALL_LOG_FLAGS> & { 'kommo-origin'?: string };

/** What the call log needs to start, read from the flags; null: it is off. */
export interface CallLogSettings {
  apiUrl: string;
  token: string;
  requestsPerS: number;
  config: CallLogConfig;
}

/** The one-line refusal naming the flag, or the settings (null: no token, the call log is off). */
export function callLogSettings(values: CallLogValues): UsageError | CallLogSettings | null {
  const token = values['kommo-api-token'];
  const onlyWithToken = (['kommo-api-url'] as const).find((name) => values[name] !== undefined);
  if (token === undefined) return onlyWithToken === undefined ? null : new UsageError(`--${onlyWithToken} needs --kommo-api-token (the call log is off without it)`);
  const apiUrl = values['kommo-api-url'] ?? values['kommo-origin'];
  if (apiUrl === undefined) return new UsageError('--kommo-api-token needs --kommo-api-url (or --kommo-origin): the account\'s https://<subdomain>.kommo.com');
  try {
    checkKommoBaseUrl(apiUrl);
  } catch (error) {
    return new UsageError(`${values['kommo-api-url'] === undefined ? '--kommo-origin (the call log\'s API address)' : '--kommo-api-url'}: ${(error as Error).message}`);
  }
  const unknown = parseUnknownCallers(values['unknown-callers']);
  if (!unknown.ok) return new UsageError(`--unknown-callers ${unknown.reason}`);
  const source = values['call-log-source'].trim();
  if (source === '' || source.length > 100) return new UsageError('--call-log-source must be 1..100 characters');
  const tasks = values['call-back-tasks'];
  return {
    apiUrl,
    token,
    requestsPerS: values['kommo-api-rps'],
    config: {
      source,
      unknownCallers: unknown.policy,
      callBackTask: tasks === 'off' ? null : { delayMs: values['call-back-task-delay-min'] * MINUTE, closeOnAnsweredCall: tasks === 'close-on-answer' },
      settleMs: values['call-log-settle-ms'],
    },
  };
}

/** The settings as RelayOptions: the Kommo client (its own limiter) and the rules. */
export function callLogOptions(settings: CallLogSettings, log: (message: string, context?: Record<string, unknown>) => void): Pick<RelayOptions, 'callLog'> {
  const limiter = createKommoLimiter({ rule: { perWindow: settings.requestsPerS } });
  return { callLog: { api: createKommoApi({ baseUrl: settings.apiUrl, token: settings.token, limiter, log }), config: settings.config } };
}

/** The start line that says the call log is on, and where it writes. */
export function callLogBanner(settings: CallLogSettings | null): string | null {
  return settings === null ? null : `  call log:        ${new URL(settings.apiUrl).origin}/api/v4/calls  (source "${settings.config.source}")`;
}
