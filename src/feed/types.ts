/**
 * The call feed's public types. The wire format (snake_case JSON, see docs/call-feed-protocol.md)
 * is parsed into `CallEvent` at the edge of the feed; nothing past the feed sees raw frames.
 */
import type { WidgetError } from '../core/errors';

import type { CallEvent, CallState } from '../protocol/types';

export type { CallEvent, CallState, CallDirection, CallResult } from '../protocol/types';

/**
 * What the tracker hands on: a call that moved forward. `vanished` is a polled call that left
 * the answer without an `ended` event: it is over, with no completed notification.
 */
export type CallChange =
  | { kind: 'state'; call: CallEvent; previous: CallState | null }
  | { kind: 'vanished'; call: CallEvent };

/** Transport state as a discriminated union; the settings panel shows it. */
export type FeedStatus =
  | { status: 'idle' }
  | { status: 'connecting'; attempt: number }
  | { status: 'open' }
  | { status: 'backoff'; attempt: number; retryInMs: number; error: WidgetError | null }
  | { status: 'closed'; reason: 'stopped' | 'unauthorized' | 'no-extension' | 'config' };

/**
 * What a transport reports. `complete: true` means the batch is the whole current state
 * (a WebSocket snapshot or a poll answer): a call tracked before and missing from it is gone.
 */
export interface TransportEvents {
  [key: string | symbol]: unknown;
  calls: { events: CallEvent[]; complete: boolean };
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
