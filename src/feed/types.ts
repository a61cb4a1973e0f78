/**
 * The call feed's public types. The wire format (snake_case JSON, see docs/call-feed-protocol.md)
 * is parsed into `CallEvent` at the edge of the feed; nothing past the feed sees raw frames.
 */
import type { WidgetError } from '../core/errors';

import type { CallEvent, CallState } from '../protocol/types';

export type { CallEvent, CallState, CallDirection, CallResult } from '../protocol/types';

/**
 * What the tracker hands on: a call leg that moved forward. `vanished` is a leg that left a
 * complete list without an `ended` event: it is over, with no completed notification. `leg` is
 * the tracker's key (`call_id` alone from a version-1 relay); absent means the call id.
 */
export type CallChange =
  | { kind: 'state'; call: CallEvent; previous: CallState | null; leg?: string }
  | { kind: 'vanished'; call: CallEvent; leg?: string };

/** Transport state as a discriminated union; the settings panel shows it. */
export type FeedStatus =
  | { status: 'idle' }
  | { status: 'connecting'; attempt: number }
  | { status: 'open' }
  | { status: 'backoff'; attempt: number; retryInMs: number; error: WidgetError | null }
  /** The transport's own code (poll.js) did not load; tried again in `retryInMs`. */
  | { status: 'unavailable'; attempt: number; retryInMs: number }
  | { status: 'closed'; reason: 'stopped' | 'unauthorized' | 'forbidden' | 'no-extension' | 'config' | 'signin-refused' | 'no-tickets' };

/**
 * What a transport reports. `complete: true` means the batch is the whole current state
 * (a WebSocket snapshot or a poll answer): a call tracked before and missing from it is gone.
 * `legs`: a version-2 relay sent it, so state is kept per leg (`call_id` + `extension`);
 * version 1 keys by `call_id` alone. `fresh`: the first answer of a feed without a position
 * (docs/call-feed-protocol.md, "The widget, version 2"): the ended legs it lists ended before
 * this widget listened, so they are remembered but not reported (nobody files them twice).
 */
export interface CallBatch {
  events: CallEvent[];
  complete: boolean;
  legs: boolean;
  fresh: boolean;
}

export interface TransportEvents {
  [key: string | symbol]: unknown;
  calls: CallBatch;
  status: FeedStatus;
}

/** Both transports (WebSocket and polling) have this shape. */
export interface CallTransport {
  start(): void;
  stop(): void;
  /** Reconnect or poll now (the browser came online, the page woke up). */
  nudge(): void;
  readonly status: FeedStatus;
  on<K extends keyof TransportEvents>(type: K, handler: (event: TransportEvents[K]) => void): () => void;
}

/** The feed as the rest of the widget sees it: transport + validation + state tracking. */
export interface CallFeedEvents {
  [key: string | symbol]: unknown;
  change: CallChange;
  status: FeedStatus;
}

export interface CallFeed {
  start(): void;
  stop(): void;
  readonly status: FeedStatus;
  /** Calls that are ringing or answered now. */
  activeCalls(): CallEvent[];
  on<K extends keyof CallFeedEvents>(type: K, handler: (event: CallFeedEvents[K]) => void): () => void;
}
