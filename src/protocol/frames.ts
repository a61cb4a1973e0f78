/**
 * Parsing of whole frames and answers (WebSocket frames, poll bodies) into validated events.
 * Pure: bad input becomes a `drop` with a kind (for a once-per-kind log line), never a throw.
 */
import { parseCallEvent } from './event';
import { isRecord } from './record';
import { isEpoch, isOffset } from './stream';
import type { SequencedEvent } from './compose';
import type { CallEvent } from './types';

/** Frames larger than this are dropped unread (the connection stays). */
export const MAX_FRAME_CHARS = 256 * 1024;
/** Poll answers carry ended calls for 60 s as well, so they get more room. */
export const MAX_POLL_BODY_CHARS = 1024 * 1024;

export interface Dropped {
  kind: string;
  detail?: string;
}

/**
 * Version 2's stream header of a snapshot or poll answer (docs/call-feed-protocol.md, "Version
 * 2"). `missed` is the wire's `events` list (renamed: `events` of a parsed frame are its calls).
 */
export interface StreamState {
  version: 2;
  epoch: string;
  offset: number;
  recovered: boolean;
  /** Every event after the widget's `since`, in offset order; empty unless `recovered`. */
  missed: SequencedEvent[];
}

/**
 * `stream` (snapshot), `offset` (call, pong) and `retryAfterS` (error) are present only when the relay
 * sent them, i.e. from a version-2 relay: a version-1 frame parses exactly as before.
 */
export type ServerFrame =
  | { type: 'snapshot'; events: CallEvent[]; dropped: Dropped[]; stream?: StreamState }
  | { type: 'call'; event: CallEvent | null; dropped: Dropped[]; offset?: number }
  /** Version 2: `offset` is the relay's current offset; the widget may take it as its position. */
  | { type: 'pong'; offset?: number }
  | { type: 'ping' }
  | { type: 'error'; code: string; retryAfterS?: number }
  | { type: 'ignored'; dropped: Dropped[] };


function ignored(kind: string, detail?: string): ServerFrame {
  return { type: 'ignored', dropped: [detail === undefined ? { kind } : { kind, detail }] };
}

/** Validates a list of wire events; invalid ones are dropped with the field that broke the table. */
export function parseEventList(list: unknown[], receivedAt: number): { events: CallEvent[]; dropped: Dropped[] } {
  const events: CallEvent[] = [];
  const dropped: Dropped[] = [];
  for (const raw of list) {
    const parsed = parseCallEvent(raw, receivedAt);
    if (parsed.ok) events.push(parsed.event);
    else dropped.push({ kind: `event:${parsed.reason}` });
  }
  return { events, dropped };
}

/**
 * The version-2 header of a snapshot or poll answer; undefined for a version-1 one. A header that
 * is there but broken is dropped as a whole (logged): the widget then has no cursor and its next
 * subscribe asks for a plain snapshot, which is always correct.
 */
function parseStream(raw: Record<string, unknown>, receivedAt: number, dropped: Dropped[]): StreamState | undefined {
  if (raw.v === undefined) return undefined;
  if (typeof raw.v !== 'number' || raw.v < 2) return undefined;
  if (!isEpoch(raw.epoch) || !isOffset(raw.offset) || typeof raw.recovered !== 'boolean') {
    dropped.push({ kind: 'stream:header' });
    return undefined;
  }
  const missed: SequencedEvent[] = [];
  const list = raw.recovered && Array.isArray(raw.events) ? raw.events : [];
  let last = -1;
  for (const item of list) {
    if (!isRecord(item) || !isOffset(item.offset) || item.offset <= last || item.offset > raw.offset) {
      dropped.push({ kind: 'stream:event_offset' });
      continue;
    }
    const parsed = parseCallEvent(item.call, receivedAt);
    if (!parsed.ok) {
      dropped.push({ kind: `event:${parsed.reason}` });
      continue;
    }
    last = item.offset;
    missed.push({ offset: item.offset, event: parsed.event });
  }
  return { version: 2, epoch: raw.epoch, offset: raw.offset, recovered: raw.recovered, missed };
}

function withStream<T extends { dropped: Dropped[] }>(base: T, stream: StreamState | undefined): T & { stream?: StreamState } {
  return stream === undefined ? base : { ...base, stream };
}

/** One WebSocket frame from the relay (protocol: "WebSocket", steps 3 to 7). */
export function parseServerFrame(data: unknown, receivedAt: number): ServerFrame {
  if (typeof data !== 'string') return ignored('frame:binary');
  if (data.length > MAX_FRAME_CHARS) return ignored('frame:too_large', `${data.length} chars`);
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return ignored('frame:not_json');
  }
  if (!isRecord(raw)) return ignored('frame:not_an_object');
  switch (raw.type) {
    case 'snapshot': {
      if (!Array.isArray(raw.calls)) return ignored('frame:snapshot_calls');
      const list = parseEventList(raw.calls, receivedAt);
      return withStream({ type: 'snapshot' as const, ...list }, parseStream(raw, receivedAt, list.dropped));
    }
    case 'call': {
      const parsed = parseCallEvent(raw.call, receivedAt);
      const frame: ServerFrame = parsed.ok
        ? { type: 'call', event: parsed.event, dropped: [] }
        : { type: 'call', event: null, dropped: [{ kind: `event:${parsed.reason}` }] };
      if (raw.offset !== undefined) {
        if (isOffset(raw.offset)) frame.offset = raw.offset;
        else frame.dropped.push({ kind: 'stream:event_offset' });
      }
      return frame;
    }
    case 'pong':
      return isOffset(raw.offset) ? { type: 'pong', offset: raw.offset } : { type: 'pong' };
    case 'ping':
      return { type: 'ping' };
    case 'error': {
      const frame: ServerFrame = { type: 'error', code: typeof raw.code === 'string' ? raw.code : 'unknown' };
      // A retry time is honoured only within reason: a relay cannot park widgets for a day.
      if (typeof raw.retry_after === 'number' && Number.isFinite(raw.retry_after) && raw.retry_after >= 0) {
        frame.retryAfterS = Math.min(raw.retry_after, MAX_RETRY_AFTER_S);
      }
      return frame;
    }
    default:
      // Protocol step 7: frame types the widget does not know are ignored (quietly: newer relays may add some).
      return { type: 'ignored', dropped: [] };
  }
}

/** The longest `retry_after` a widget honours (seconds); a larger one counts as this. */
export const MAX_RETRY_AFTER_S = 300;

export type PollAnswer =
  | { ok: true; events: CallEvent[]; dropped: Dropped[]; stream?: StreamState }
  /** `refused`: the relay's payload refused the credential (`unauthorized`, `ticket_expired`) or the extensions (`forbidden_extension`). */
  | { ok: false; refused?: 'unauthorized' | 'forbidden'; kind: string };

/** A poll answer's payload, already JSON-decoded (`{"calls": [...]}`), or the script-mode callback argument. */
export function parsePollPayload(raw: unknown, receivedAt: number): PollAnswer {
  if (!isRecord(raw)) return { ok: false, kind: 'poll:not_an_object' };
  // The reference relay's script mode cannot send a 401 a <script> tag could see, so it says so in the payload.
  if (raw.error === 'unauthorized' || raw.error === 'ticket_expired') return { ok: false, refused: 'unauthorized', kind: `poll:${raw.error}` };
  if (raw.error === 'forbidden_extension') return { ok: false, refused: 'forbidden', kind: 'poll:forbidden_extension' };
  if (!Array.isArray(raw.calls)) return { ok: false, kind: 'poll:calls_not_a_list' };
  const list = parseEventList(raw.calls, receivedAt);
  return withStream({ ok: true as const, ...list }, parseStream(raw, receivedAt, list.dropped));
}

/** A JSON-mode poll body (text). */
export function parsePollBody(text: string, receivedAt: number): PollAnswer {
  if (text.length > MAX_POLL_BODY_CHARS) return { ok: false, kind: 'poll:too_large' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, kind: 'poll:not_json' };
  }
  return parsePollPayload(raw, receivedAt);
}
