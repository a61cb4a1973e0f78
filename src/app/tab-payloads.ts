/**
 * What the tabs of one user pass each other (src/tabs carries it opaque): the pop-up the leader
 * routes and the state it shares. Checked on arrival: another tab is another program (a
 * half-updated widget, a stray script).
 */
import type { FeedStatus } from '../feed/types';
import type { CallPopup } from '../notify/types';
import { isRecord } from '../protocol/record';
import { parseSharedTicket } from '../feed/ticket-handover';
import type { SharedTicket } from '../feed/ticket-handover';

/** How the leader is known to the relay: its user's ticket, or the account's shared token. */
export type RelayAccessKind = 'ticket' | 'shared-token';

/** What a follower shows of the leader: its feed status and access, for the settings panel in any tab. */
export interface SharedTabState {
  feed: FeedStatus['status'];
  access?: RelayAccessKind;
  /** The extensions the leader hears (its user's): which phone a click-to-call in any tab rings. */
  extensions?: string[];
  /** The leader's relay ticket, for the next leader of this user (src/feed/ticket-handover.ts); never shown. */
  ticket?: SharedTicket;
}

/** As the relay bounds a subscriber's list (and src/feed/relay-access.ts a ticket's). */
const MAX_SHARED_EXTENSIONS = 50;

function extensionList(value: unknown): string[] | null {
  if (!Array.isArray(value) || value.length > MAX_SHARED_EXTENSIONS) return null;
  return value.every((e) => typeof e === 'string' && e !== '' && e.length <= 64) ? (value as string[]) : null;
}

const FEED_STATES = new Set<unknown>(['idle', 'connecting', 'open', 'backoff', 'closed'] satisfies Array<FeedStatus['status']>);

export function parseCallPopup(value: unknown): CallPopup | null {
  if (!isRecord(value)) return null;
  const { header, text, date, callId } = value;
  if (typeof header !== 'string' || typeof text !== 'string' || typeof date !== 'number' || !Number.isFinite(date)) return null;
  return typeof callId === 'string' ? { callId, header, text, date } : { header, text, date };
}

/** Extra fields (an older widget shared more) are dropped. */
export function parseSharedTabState(value: unknown): SharedTabState | null {
  if (!isRecord(value) || !FEED_STATES.has(value.feed)) return null;
  const state: SharedTabState = { feed: value.feed as FeedStatus['status'] };
  if (value.access === 'ticket' || value.access === 'shared-token') state.access = value.access;
  const extensions = extensionList(value.extensions);
  if (extensions !== null) state.extensions = extensions;
  const ticket = parseSharedTicket(value.ticket);
  if (ticket !== null) state.ticket = ticket;
  return state;
}
