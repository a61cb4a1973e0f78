/**
 * Protocol version 2's recovery, the one implementation for both transports (pure): what a
 * snapshot or a poll answer means given the position the widget asked from. Recovered: the
 * missed events first, in offset order, then the complete list, as one batch (the tracker sees
 * them in order, and a leg the list repeats is a repeat, not a new call). Not recovered after a
 * position: the complete list alone, and a log line. A version-1 answer: the list, keyed by
 * call id, no position (the next request asks afresh).
 */
import type { StreamState } from '../protocol/frames';
import type { StreamCursor } from '../protocol/stream';
import type { CallBatch, CallEvent } from './types';

export interface Recovery {
  cursor: StreamCursor | null;
  batch: CallBatch;
  /** Set when the relay could not cover the gap since `cursor` (logged, not an error). */
  warn: string | null;
}

export function recoverFrom(answer: { events: CallEvent[]; stream?: StreamState }, cursor: StreamCursor | null): Recovery {
  const { stream } = answer;
  if (stream === undefined) return { cursor: null, batch: { events: answer.events, complete: true, legs: false, fresh: false }, warn: null };
  const missed = stream.recovered ? stream.missed.map((m) => m.event) : [];
  const batch: CallBatch = { events: [...missed, ...answer.events], complete: true, legs: true, fresh: cursor === null };
  const warn = !stream.recovered && cursor !== null ? 'feed: gap lost; taking the current calls' : null;
  return { cursor: { epoch: stream.epoch, offset: stream.offset }, batch, warn };
}

/** A live frame or a pong moved the position forward (same epoch; never backwards). */
export function advance(cursor: StreamCursor | null, offset: number | undefined): StreamCursor | null {
  if (cursor === null || offset === undefined || offset <= cursor.offset) return cursor;
  return { epoch: cursor.epoch, offset };
}
