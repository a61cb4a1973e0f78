/**
 * What the tabs of one user pass each other (src/tabs carries it opaque): the pop-up the leader
 * routes and the state it shares. Checked on arrival: another tab is another program (a
 * half-updated widget, a stray script).
 */
import type { FeedStatus } from '../feed/types';
import type { CallPopup } from '../notify/types';
import { isRecord } from '../protocol/record';

/** How the leader is known to the relay: its user's ticket, or the account's shared token. */
export type RelayAccessKind = 'ticket' | 'shared-token';

/** What a follower shows of the leader: its feed status and access, for the settings panel in any tab. */
export interface SharedTabState {
  feed: FeedStatus['status'];
  access?: RelayAccessKind;
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
  const feed = value.feed as FeedStatus['status'];
  return value.access === 'ticket' || value.access === 'shared-token' ? { feed, access: value.access } : { feed };
}
