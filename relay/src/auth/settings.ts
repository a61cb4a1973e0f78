/**
 * Per-user authentication's settings (createRelay's `auth` option, the command line's Kommo
 * flags), checked once: empty secrets, a bad account id, origins or users refuse the relay.
 */
import { randomBytes } from 'node:crypto';
import { AuthConfigError } from './config-error';
import { normalizeOrigin } from './origins';
import { checkEntries } from './users-file';
import type { UsersMap } from './users-file';

export type { UsersMap } from './users-file';

export const AUTH_DEFAULTS = {
  /** Ticket lifetime; the widget renews at 80 % of it. */
  ticketTtlS: 600,
  /** Clock tolerance on Kommo's `exp` / `nbf`. */
  skewS: 30,
} as const;

export interface AuthOptions {
  /** The integration's secret key: the HS256 key of Kommo's one-time tokens. */
  kommoSecret: string;
  /** The only `account_id` accepted. */
  accountId: number;
  /** The account's Kommo origins (`https://acme.kommo.com`): CORS and WebSocket Origin allow-list. */
  origins: readonly string[];
  /** Kommo user id -> extensions; a function is asked at every use (the command line re-reads on SIGHUP). */
  users: UsersMap | (() => UsersMap);
  /** Signs the relay's tickets; default a random key per process (tickets die with it). */
  ticketSecret?: string;
  ticketTtlS?: number;
  skewS?: number;
}

export interface AuthSettings {
  kommoSecret: string;
  accountId: number;
  origins: readonly string[];
  users: () => UsersMap;
  ticketSecret: string;
  ticketTtlS: number;
  skewS: number;
}

function secret(value: unknown, setting: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new AuthConfigError(setting, 'must not be empty');
  return value;
}

function integerIn(value: unknown, min: number, max: number, setting: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) throw new AuthConfigError(setting, `must be an integer ${min}..${max}, got ${String(value)}`);
  return value;
}

/** The legacy shared token, when given: never empty (an empty one would match an absent one). */
export function checkSharedSecret(value: string | undefined, setting: string): string | null {
  return value === undefined ? null : secret(value, setting);
}

export function resolveAuth(o: AuthOptions): AuthSettings {
  if (!Array.isArray(o.origins) || o.origins.length === 0) throw new AuthConfigError('auth.origins', 'needs at least one origin');
  const users = o.users;
  // A map given once is checked now; a function's maps are checked by whoever loads them (readUsersFile).
  const fixed = typeof users === 'function' ? null : checkEntries(users.entries(), 'auth.users');
  return {
    kommoSecret: secret(o.kommoSecret, 'auth.kommoSecret'),
    accountId: integerIn(o.accountId, 1, Number.MAX_SAFE_INTEGER, 'auth.accountId'),
    origins: o.origins.map((origin) => normalizeOrigin(origin, 'auth.origins')),
    users: fixed === null ? (users as () => UsersMap) : () => fixed,
    ticketSecret: o.ticketSecret === undefined ? randomBytes(32).toString('base64url') : secret(o.ticketSecret, 'auth.ticketSecret'),
    ticketTtlS: integerIn(o.ticketTtlS ?? AUTH_DEFAULTS.ticketTtlS, 1, 86_400, 'auth.ticketTtlS'),
    skewS: integerIn(o.skewS ?? AUTH_DEFAULTS.skewS, 0, 300, 'auth.skewS'),
  };
}
