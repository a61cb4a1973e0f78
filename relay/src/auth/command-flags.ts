/**
 * The command line's secrets and Kommo settings (main.ts): the flags, and what a start needs.
 * No default secrets: without `--pbx-token`, and without either the four Kommo settings or the
 * legacy `--token`, the relay refuses to start (exit 2, naming what is missing). `--dev` stands
 * in well-known development values for missing secrets, and says so loudly.
 */
import { UsageError } from '../command-line';
import type { Flags } from '../command-line';
import { AuthConfigError } from './config-error';
import { parseOriginList } from './origins';
import { AUTH_DEFAULTS } from './settings';
import type { AuthOptions, UsersMap } from './settings';

/** What `--dev` stands in; printed in --help, so anyone may know them: never on a reachable relay. */
export const DEV_SECRETS = { pbxToken: 'dev-pbx-token', token: 'dev-widget-token', kommoSecret: 'dev-kommo-secret' } as const;

export const AUTH_FLAGS = {
  'pbx-token': { type: 'string', value: 'secret', secret: true, env: 'RELAY_PBX_TOKEN', description: 'required: what the PBX presents on POST /pbx/events' },
  'kommo-secret': {
    type: 'string', value: 'secret', secret: true, env: 'RELAY_KOMMO_SECRET',
    description: "the integration's secret key (Kommo, the integration's keys): the\nHS256 key of the one-time tokens widgets bring for a ticket",
  },
  'kommo-account-id': {
    type: 'integer', value: 'id', min: 1, max: Number.MAX_SAFE_INTEGER, env: 'RELAY_KOMMO_ACCOUNT_ID',
    description: 'the Kommo account: the only account_id accepted',
  },
  'kommo-origin': {
    type: 'string', value: 'origins', env: 'RELAY_KOMMO_ORIGIN',
    description: "the account's Kommo origin(s), comma-separated\n(https://acme.kommo.com): the Origin allow-list (CORS, WebSocket)",
  },
  users: {
    type: 'string', value: 'path', env: 'RELAY_USERS',
    description: 'JSON file {"users": {"<kommo user id>": ["101"]}}: the extensions\neach user may hear; checked at start, re-read on SIGHUP',
  },
  'ticket-secret': {
    type: 'string', value: 'secret', secret: true, env: 'RELAY_TICKET_SECRET', shownDefault: 'a random key per process',
    description: 'signs the relay\'s tickets; set it when several relay processes\nserve the same widgets, or to keep tickets valid across restarts',
  },
  'ticket-ttl-s': {
    type: 'integer', value: 's', min: 60, max: 3_600, env: 'RELAY_TICKET_TTL_S', shownDefault: String(AUTH_DEFAULTS.ticketTtlS),
    description: 'ticket lifetime; widgets renew at 80 % of it',
  },
  token: {
    type: 'string', value: 'secret', secret: true, env: 'RELAY_TOKEN',
    description: 'LEGACY shared widget token (version 1): whoever has it may read\nEVERY extension; optional, a warning at start when set',
  },
  dev: {
    type: 'boolean',
    description: `development only (sandbox, tests): missing secrets get well-known\nvalues (--pbx-token ${DEV_SECRETS.pbxToken}, --token ${DEV_SECRETS.token}\nwithout Kommo settings, --kommo-secret ${DEV_SECRETS.kommoSecret}); INSECURE`,
  },
} as const satisfies Flags;

export interface AuthFlagValues {
  'pbx-token'?: string;
  'kommo-secret'?: string;
  'kommo-account-id'?: number;
  'kommo-origin'?: string;
  users?: string;
  'ticket-secret'?: string;
  'ticket-ttl-s'?: number;
  token?: string;
  dev: boolean;
}

export interface StartSecrets {
  pbxToken: string;
  token?: string;
  auth?: AuthOptions;
  /** The flags `--dev` stood in a development value for. */
  devFilled: string[];
}

const KOMMO = ['kommo-secret', 'kommo-account-id', 'kommo-origin', 'users'] as const;

/**
 * What the flags allow, or a UsageError naming what is missing. `readUsers` loads the users file
 * (an AuthConfigError naming the bad entry); `users` is asked at every use, so SIGHUP can swap it.
 */
export function settleAuthFlags(values: AuthFlagValues, readUsers: (file: string) => () => UsersMap): StartSecrets {
  const devFilled: string[] = [];
  const stand = (flag: string, given: string | undefined, dev: string): string | undefined => {
    if (given !== undefined || !values.dev) return given;
    devFilled.push(`--${flag}`);
    return dev;
  };
  const pbxToken = stand('pbx-token', values['pbx-token'], DEV_SECRETS.pbxToken);
  if (pbxToken === undefined) throw new UsageError('--pbx-token (or RELAY_PBX_TOKEN) is required: the secret the PBX presents on POST /pbx/events');
  const given = KOMMO.filter((flag) => values[flag] !== undefined);
  if (given.length === 0) {
    if (values['ticket-secret'] !== undefined || values['ticket-ttl-s'] !== undefined) throw new UsageError('--ticket-secret and --ticket-ttl-s need the Kommo settings (--kommo-secret, --kommo-account-id, --kommo-origin, --users)');
    const token = stand('token', values.token, DEV_SECRETS.token);
    if (token === undefined) {
      throw new UsageError('widgets have no way to authenticate: give the Kommo settings (--kommo-secret, --kommo-account-id, --kommo-origin, --users) or the legacy --token');
    }
    return { pbxToken, token, devFilled };
  }
  const kommoSecret = stand('kommo-secret', values['kommo-secret'], DEV_SECRETS.kommoSecret);
  const missing = KOMMO.filter((flag) => (flag === 'kommo-secret' ? kommoSecret : values[flag]) === undefined);
  if (missing.length > 0) throw new UsageError(`the Kommo settings go together; missing: ${missing.map((flag) => `--${flag}`).join(', ')}`);
  let origins: string[];
  try {
    origins = parseOriginList(values['kommo-origin'] as string, '--kommo-origin');
  } catch (error) {
    throw error instanceof AuthConfigError ? new UsageError(error.message) : error;
  }
  const auth: AuthOptions = {
    kommoSecret: kommoSecret as string,
    accountId: values['kommo-account-id'] as number,
    origins,
    users: readUsers(values.users as string),
    ...(values['ticket-secret'] !== undefined ? { ticketSecret: values['ticket-secret'] } : {}),
    ...(values['ticket-ttl-s'] !== undefined ? { ticketTtlS: values['ticket-ttl-s'] } : {}),
  };
  return { pbxToken, ...(values.token !== undefined ? { token: values.token } : {}), auth, devFilled };
}

/** The start's warnings, one log line each (never a secret's value). */
export function startWarnings(secrets: StartSecrets, dev: boolean): Array<[string, Record<string, unknown>?]> {
  const lines: Array<[string, Record<string, unknown>?]> = [];
  if (dev) {
    lines.push([
      'relay: INSECURE: --dev is on; development values stand in for missing secrets, and they are public (--help): anyone who can reach this relay can read every call and post events. Never use --dev on a relay other people can reach',
      { dev_values_for: secrets.devFilled },
    ]);
  }
  if (secrets.token !== undefined) {
    lines.push(['relay: WARNING: the legacy shared --token is on: whoever has it (every user of the Kommo account sees the widget settings) can read EVERY extension; give the Kommo settings and drop --token']);
  }
  return lines;
}
