/** What both poll modes share: the request URL, and a parsed answer turned into an outcome. */
import { formatCursorParam, PROTOCOL_VERSION, ProtocolError } from './poll-shared';
import type { PollAnswer } from '../protocol/frames';
import type { StreamCursor } from '../protocol/stream';
import type { FeedCredential } from '../protocol/subscribe';
import type { PollOutcome } from './poll-machine';

/** One poll request: sends, and calls `done` once with the outcome unless cancelled first. */
export interface PollRequests {
  send(request: { etag: string | null; since: StreamCursor | null; credential: FeedCredential }, done: (outcome: PollOutcome) => void): { cancel(): void };
  /** Removes what outlived its request (script mode's no-op callbacks). */
  dispose(): void;
}

/** `?extensions=101,102` (and more) appended to a URL that may already carry a query. */
export function pollRequestUrl(base: string, params: Record<string, string>): string {
  const query = Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%2C/g, ',')}`)
    .join('&');
  const hashAt = base.indexOf('#');
  const clean = hashAt >= 0 ? base.slice(0, hashAt) : base;
  return `${clean}${clean.includes('?') ? '&' : '?'}${query}`;
}

/** A body outside the protocol is a ProtocolError (not transient) and a drop of its kind. */
export function answerOutcome(answer: PollAnswer, etag: string | null, url: string): PollOutcome {
  if (answer.ok) return { kind: 'calls', events: answer.events, dropped: answer.dropped, etag, ...(answer.stream ? { stream: answer.stream } : {}) };
  if (answer.refused === 'forbidden') return { kind: 'forbidden' };
  if (answer.refused === 'unauthorized') return { kind: 'unauthorized' };
  return { kind: 'failed', error: new ProtocolError(`feed: bad poll answer (${answer.kind})`, { url }), dropped: { kind: answer.kind } };
}

/** Version 2's query: `v=2`, and `since=E:N` once the widget has a position (protocol: "Polling, version 2"). */
export function streamParams(since: StreamCursor | null): Record<string, string> {
  return since === null ? { v: String(PROTOCOL_VERSION) } : { v: String(PROTOCOL_VERSION), since: formatCursorParam(since) };
}
