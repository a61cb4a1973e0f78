/**
 * The ticket handover between the tabs of one browser: the leader shares the relay ticket it
 * holds (with its expiry and the user and extensions it is for) in its tab state, and the tab
 * that leads next uses it at once instead of asking Kommo and the relay for another (a one-time
 * token, a CORS preflight and `POST /ticket` on the takeover's critical path). Only the same
 * Kommo user's ticket with more than a minute left is used; it is renewed at 80 % of its life as
 * any other, and a relay that refuses it (4401/4419) gets the usual renewal. Pure: the caller
 * passes the time.
 *
 * The state travels only between the pages of one origin (BroadcastChannel, or storage events
 * whose record src/tabs/channel.ts removes at once), which can all get a ticket of their own.
 */
import { isRecord } from '../protocol/record';
import type { Access } from './relay-access';

/** Renewal at this share of the ticket's life (relay-access.ts). */
export const RENEW_AT = 0.8;

/** A shared ticket with less left than this is not used: the new leader asks for its own. */
export const MIN_LEFT_MS = 60_000;

export type TicketAccess = Extract<Access, { mode: 'ticket' }>;

/** A ticket as the leader holds it: the relay's answer and when it expires (ms since the epoch). */
export interface HeldTicket {
  access: TicketAccess;
  expiresAt: number;
}

/** What the leader shares with the other tabs. `lifeMs`: the ticket's whole life, for the renewal. */
export interface SharedTicket {
  ticket: string;
  expiresAt: number;
  lifeMs: number;
  userId: string;
  extensions: string[];
}

/** A ticket just received at `now`. */
export function heldFrom(access: TicketAccess, now: number): HeldTicket {
  return { access, expiresAt: now + access.expiresInMs };
}

/** What the leader of `userId` shares of its ticket. */
export function shareTicket(held: HeldTicket, userId: string): SharedTicket {
  const { ticket, expiresInMs, extensions } = held.access;
  return { ticket, expiresAt: held.expiresAt, lifeMs: expiresInMs, userId, extensions: [...extensions] };
}

/**
 * Whether the new leader of `userId` uses the ticket another tab shared, at `now`: the ticket
 * and when to renew it (at 80 % of its life, at once if that is past), or null (ask the relay).
 */
export function adoptTicket(shared: SharedTicket | null | undefined, userId: string, now: number): { held: HeldTicket; renewInMs: number } | null {
  if (!shared || shared.userId !== userId) return null;
  const left = shared.expiresAt - now;
  // More left than its whole life: the clock went back since it was shared; ask anew.
  if (!(left > MIN_LEFT_MS) || left > shared.lifeMs) return null;
  const access: TicketAccess = { mode: 'ticket', ticket: shared.ticket, expiresInMs: shared.lifeMs, extensions: [...shared.extensions] };
  return { held: { access, expiresAt: shared.expiresAt }, renewInMs: Math.max(0, left - shared.lifeMs * (1 - RENEW_AT)) };
}

const MAX_EXTENSIONS = 50;
const MAX_LIFE_MS = 24 * 3600 * 1000;

/** Checks a shared ticket that came from another tab. */
export function parseSharedTicket(value: unknown): SharedTicket | null {
  if (!isRecord(value)) return null;
  const { ticket, expiresAt, lifeMs, userId, extensions } = value;
  if (typeof ticket !== 'string' || ticket === '' || ticket.length > 4096) return null;
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return null;
  if (typeof lifeMs !== 'number' || !Number.isFinite(lifeMs) || lifeMs <= 0 || lifeMs > MAX_LIFE_MS) return null;
  if (typeof userId !== 'string' || userId === '' || userId.length > 64) return null;
  if (!Array.isArray(extensions) || extensions.length > MAX_EXTENSIONS) return null;
  if (!extensions.every((e) => typeof e === 'string' && e !== '' && e.length <= 64)) return null;
  return { ticket, expiresAt, lifeMs, userId, extensions: [...(extensions as string[])] };
}
