/**
 * Parsing of whole frames and answers (WebSocket frames, poll bodies) into validated events.
 * Pure: bad input becomes a `drop` with a kind (for a once-per-kind log line), never a throw.
 */
import { parseCallEvent } from './event';
import { isRecord } from './record';
import type { CallEvent } from './types';

/** Frames larger than this are dropped unread (the connection stays). */
export const MAX_FRAME_CHARS = 256 * 1024;
/** Poll answers carry ended calls for 60 s as well, so they get more room. */
export const MAX_POLL_BODY_CHARS = 1024 * 1024;

export interface Dropped {
  kind: string;
  detail?: string;
}

export type ServerFrame =
  | { type: 'snapshot'; events: CallEvent[]; dropped: Dropped[] }
  | { type: 'call'; event: CallEvent | null; dropped: Dropped[] }
  | { type: 'pong' }
  | { type: 'ping' }
  | { type: 'error'; code: string }
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
      return { type: 'snapshot', ...parseEventList(raw.calls, receivedAt) };
    }
    case 'call': {
      const parsed = parseCallEvent(raw.call, receivedAt);
      return parsed.ok
        ? { type: 'call', event: parsed.event, dropped: [] }
        : { type: 'call', event: null, dropped: [{ kind: `event:${parsed.reason}` }] };
    }
    case 'pong':
      return { type: 'pong' };
    case 'ping':
      return { type: 'ping' };
    case 'error':
      return { type: 'error', code: typeof raw.code === 'string' ? raw.code : 'unknown' };
    default:
      // Protocol step 7: frame types the widget does not know are ignored (quietly: newer relays may add some).
      return { type: 'ignored', dropped: [] };
  }
}

export type PollAnswer =
  | { ok: true; events: CallEvent[]; dropped: Dropped[] }
  | { ok: false; unauthorized: boolean; kind: string };

/** A poll answer's payload, already JSON-decoded (`{"calls": [...]}`), or the script-mode callback argument. */
export function parsePollPayload(raw: unknown, receivedAt: number): PollAnswer {
  if (!isRecord(raw)) return { ok: false, unauthorized: false, kind: 'poll:not_an_object' };
  // The reference relay's script mode cannot send a 401 a <script> tag could see, so it says so in the payload.
  if (raw.error === 'unauthorized') return { ok: false, unauthorized: true, kind: 'poll:unauthorized' };
  if (!Array.isArray(raw.calls)) return { ok: false, unauthorized: false, kind: 'poll:calls_not_a_list' };
  return { ok: true, ...parseEventList(raw.calls, receivedAt) };
}

/** A JSON-mode poll body (text). */
export function parsePollBody(text: string, receivedAt: number): PollAnswer {
  if (text.length > MAX_POLL_BODY_CHARS) return { ok: false, unauthorized: false, kind: 'poll:too_large' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, unauthorized: false, kind: 'poll:not_json' };
  }
  return parsePollPayload(raw, receivedAt);
}
