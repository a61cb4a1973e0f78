/**
 * The relay's tickets: a short-lived JWT (HS256, the ticket secret) naming one Kommo user of the
 * account: `sub` (user id), `acc` (account id), `iat`, `exp`. Widgets treat it as opaque and
 * present it on the WebSocket, in polls and in script mode. Nobody logs it.
 */
import { createSecretKey } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

export interface IssuedTicket {
  ticket: string;
  /** Seconds: what the answer's `expires_in` says. */
  expiresInS: number;
  expiresAtMs: number;
}

export type TicketCheck = { ok: true; userId: string; expiresAtMs: number } | { ok: false; code: 'unauthorized' | 'ticket_expired' };

export interface TicketRules {
  secret: string;
  ttlS: number;
  accountId: number;
  now: () => number;
}

export interface Tickets {
  issue(userId: string): Promise<IssuedTicket>;
  verify(ticket: string): Promise<TicketCheck>;
}

export function createTickets(rules: TicketRules): Tickets {
  const key = createSecretKey(Buffer.from(rules.secret, 'utf8'));
  return {
    async issue(userId) {
      const iat = Math.floor(rules.now() / 1000);
      const exp = iat + rules.ttlS;
      const ticket = await new SignJWT({ acc: rules.accountId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
      return { ticket, expiresInS: rules.ttlS, expiresAtMs: exp * 1000 };
    },
    async verify(ticket) {
      try {
        // No tolerance: the relay's own clock wrote `exp`.
        const { payload } = await jwtVerify(ticket, key, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'], currentDate: new Date(rules.now()) });
        if (payload.acc !== rules.accountId || typeof payload.sub !== 'string' || payload.sub === '' || typeof payload.exp !== 'number') return { ok: false, code: 'unauthorized' };
        return { ok: true, userId: payload.sub, expiresAtMs: payload.exp * 1000 };
      } catch (error) {
        // A forged ticket fails its signature before its `exp` is read: only a genuine one is `ticket_expired`.
        return { ok: false, code: error instanceof errors.JWTExpired ? 'ticket_expired' : 'unauthorized' };
      }
    },
  };
}
