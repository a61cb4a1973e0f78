/**
 * The WebSocket's credentials: a `subscribe` carries a ticket (or the legacy `token`); an `auth`
 * frame renews the ticket of an open socket without dropping it. subscribers.ts applies what
 * these decide.
 */
import type { Access, Credential, Grant } from './access';
import { socketRefusal } from './refusals';
import type { SocketRefusal } from './refusals';

export type SocketDecision = { ok: true; grant: Grant } | { ok: false; refusal: SocketRefusal };

/** `ticket` (version 2's authentication) wins over `token` (the legacy shared token). */
export function subscribeCredential(frame: Record<string, unknown>, token: string | null): Credential {
  if (typeof frame.ticket === 'string') return { kind: 'ticket', value: frame.ticket };
  return token === null ? null : { kind: 'token', value: token };
}

/**
 * `{"type": "auth", "ticket": ...}` on a subscribed socket: a ticket of the same user (any user
 * for a socket on the shared token) that still covers its extensions (the users file may have
 * changed since).
 */
export async function renew(access: Access, socket: { userId: string | null; extensions: ReadonlySet<string> }, frame: Record<string, unknown>): Promise<SocketDecision> {
  if (typeof frame.ticket !== 'string') return { ok: false, refusal: socketRefusal('unauthorized') };
  const checked = await access.authenticate({ kind: 'ticket', value: frame.ticket });
  if (!checked.ok) return { ok: false, refusal: socketRefusal(checked.code) };
  if (socket.userId !== null && checked.grant.userId !== socket.userId) return { ok: false, refusal: socketRefusal('unauthorized') };
  const forbidden = access.forbidden(checked.grant, socket.extensions);
  return forbidden.length > 0 ? { ok: false, refusal: socketRefusal('forbidden_extension', forbidden) } : { ok: true, grant: checked.grant };
}

/** `expires_in` of an `auth_ok`: whole seconds the ticket has left. */
export function secondsLeft(grant: Grant, now: number): number | null {
  return grant.expiresAtMs === null ? null : Math.max(0, Math.floor((grant.expiresAtMs - now) / 1000));
}
