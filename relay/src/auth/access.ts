/**
 * Who may read which extensions: the rules the WebSocket, the polls, script mode and the ticket
 * route share. A credential is a relay ticket (one Kommo user, that user's extensions from the
 * users file) or the legacy shared token (version 1: any extension), when the relay has one.
 */
import { sameSecret } from '../secrets';
import { createKommoTokenCheck } from './kommo-token';
import type { KommoTokenReason } from './kommo-token';
import { resolveAuth } from './settings';
import type { AuthOptions } from './settings';
import { createTickets } from './tickets';

/** `bearer`: an `Authorization: Bearer` value, the shared token or a ticket. */
export type Credential = { kind: 'ticket' | 'token' | 'bearer'; value: string } | null;

export interface Grant {
  /** The ticket's Kommo user; null for the legacy shared token. */
  userId: string | null;
  /** When the ticket expires (ms); null for the shared token. */
  expiresAtMs: number | null;
}

export type AccessCode = 'unauthorized' | 'ticket_expired';
export type Authentication = { ok: true; grant: Grant } | { ok: false; code: AccessCode };

export type Exchange =
  | { ok: true; ticket: string; expiresInS: number; userId: string; extensions: readonly string[] }
  | { ok: false; reason: KommoTokenReason };

export type Identity = { ok: true; userId: string } | { ok: false; reason: KommoTokenReason };

export interface Access {
  /** Tickets need the Kommo settings; without them only the shared token works. */
  readonly ticketsEnabled: boolean;
  /** The Origin allow-list; null without Kommo settings (any origin, as in version 1). */
  readonly origins: readonly string[] | null;
  authenticate(credential: Credential): Promise<Authentication>;
  /** The extensions of `wanted` the grant does not cover, in order; [] when it covers them all. */
  forbidden(grant: Grant, wanted: Iterable<string>): string[];
  /** Kommo's one-time token for a ticket; null when tickets are disabled. */
  exchange(kommoToken: string | null): Promise<Exchange> | null;
  /** Kommo's one-time token checked, for a route that needs only the user (originate); null without Kommo settings. */
  identify(kommoToken: string | null): Promise<Identity> | null;
  /** The user's extensions from the users file, in its order ([] for a user it does not list). */
  extensionsOf(userId: string): readonly string[];
}

const REFUSED: Authentication = { ok: false, code: 'unauthorized' };

export function createAccess(o: { token: string | null; auth: AuthOptions | undefined; now: () => number }): Access {
  const settings = o.auth === undefined ? null : resolveAuth(o.auth);
  const shared = o.token;
  const tickets = settings === null ? null : createTickets({ secret: settings.ticketSecret, ttlS: settings.ticketTtlS, accountId: settings.accountId, now: o.now });
  const kommoToken = settings === null ? null : createKommoTokenCheck({ secret: settings.kommoSecret, accountId: settings.accountId, skewS: settings.skewS, now: o.now });
  const extensionsOf = (userId: string): readonly string[] => settings?.users().get(userId) ?? [];

  async function byTicket(value: string): Promise<Authentication> {
    if (tickets === null) return REFUSED;
    const checked = await tickets.verify(value);
    return checked.ok ? { ok: true, grant: { userId: checked.userId, expiresAtMs: checked.expiresAtMs } } : { ok: false, code: checked.code };
  }

  const legacy = (value: string) => shared !== null && sameSecret(value, shared);
  const LEGACY: Authentication = { ok: true, grant: { userId: null, expiresAtMs: null } };

  return {
    ticketsEnabled: settings !== null,
    origins: settings?.origins ?? null,
    async authenticate(credential) {
      if (credential === null || credential.value === '') return REFUSED;
      if (credential.kind === 'ticket') return byTicket(credential.value);
      if (legacy(credential.value)) return LEGACY;
      return credential.kind === 'bearer' ? byTicket(credential.value) : REFUSED;
    },
    forbidden(grant, wanted) {
      if (grant.userId === null) return [];
      const own = new Set(extensionsOf(grant.userId));
      return [...wanted].filter((extension) => !own.has(extension));
    },
    exchange(token) {
      if (kommoToken === null || tickets === null) return null;
      return (async (): Promise<Exchange> => {
        const checked = await kommoToken(token);
        if (!checked.ok) return checked;
        const issued = await tickets.issue(checked.userId);
        return { ok: true, ticket: issued.ticket, expiresInS: issued.expiresInS, userId: checked.userId, extensions: extensionsOf(checked.userId) };
      })();
    },
    identify: (token) => (kommoToken === null ? null : kommoToken(token)),
    extensionsOf,
  };
}
