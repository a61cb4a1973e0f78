/**
 * The one validator of the call feed protocol's event table (docs/call-feed-protocol.md, "A call
 * event"). Pure: the widget's transports and the reference relay both use it, so a PBX vendor
 * and the widget can never disagree about what a valid event is.
 */
import { isRecord } from './record';
import { HTTP_SCHEMES, parseUrl } from './url';
import type { CallDirection, CallEvent, CallResult, CallState } from './types';

export type ParseResult = { ok: true; event: CallEvent } | { ok: false; reason: string };

const STATES: readonly CallState[] = ['ringing', 'answered', 'ended'];
const DIRECTIONS: readonly CallDirection[] = ['inbound', 'outbound'];
const RESULTS: readonly CallResult[] = ['answered', 'missed', 'busy', 'failed', 'answered_elsewhere'];

/** Limits the protocol leaves open; documented in docs/call-feed-protocol.md ("Limits"). */
export const EVENT_LIMITS = {
  callId: 128,
  phone: 64,
  extension: 64,
  recordingUrl: 2048,
} as const;

/** Forward order of the states: a call only ever moves to a higher rank. */
export function stateRank(state: CallState): number {
  return STATES.indexOf(state);
}


function oneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

/** `null` counts as absent for optional fields: many PBX JSON encoders write null for "none". */
function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * Validates one wire event (snake_case) into a `CallEvent`. `reason` names the first field that
 * breaks the table (`call_id`, `state`, ...), so callers can log once per kind of problem.
 * `receivedAt` (ms) stands in for a missing `at`.
 */
export function parseCallEvent(raw: unknown, receivedAt: number): ParseResult {
  if (!isRecord(raw)) return { ok: false, reason: 'not_an_object' };
  const { call_id: callId, state, direction, phone, extension, at, duration, recording_url: recordingUrl, result, expired } = raw;

  if (typeof callId !== 'string' || callId.length < 1 || callId.length > EVENT_LIMITS.callId) return { ok: false, reason: 'call_id' };
  if (!oneOf(state, STATES)) return { ok: false, reason: 'state' };
  if (!oneOf(direction, DIRECTIONS)) return { ok: false, reason: 'direction' };
  // An empty phone is allowed: a withheld caller ID is still a call the employee should see.
  if (typeof phone !== 'string' || phone.length > EVENT_LIMITS.phone) return { ok: false, reason: 'phone' };
  if (typeof extension !== 'string' || extension.trim().length < 1 || extension.length > EVENT_LIMITS.extension) {
    return { ok: false, reason: 'extension' };
  }
  if (present(at) && (typeof at !== 'number' || !Number.isFinite(at) || at < 0)) return { ok: false, reason: 'at' };
  if (present(duration) && (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0)) {
    return { ok: false, reason: 'duration' };
  }
  if (present(recordingUrl) && (typeof recordingUrl !== 'string' || recordingUrl.length > EVENT_LIMITS.recordingUrl || parseUrl(recordingUrl, { schemes: HTTP_SCHEMES }) === null)) {
    return { ok: false, reason: 'recording_url' };
  }
  if (present(result) && !oneOf(result, RESULTS)) return { ok: false, reason: 'result' };

  const event: CallEvent = {
    callId,
    state,
    direction,
    phone,
    extension: extension.trim(),
    at: typeof at === 'number' ? Math.round(at * 1000) : receivedAt,
  };
  // duration, recording_url and result belong to `ended`; on other states they are ignored.
  if (state === 'ended') {
    if (typeof duration === 'number') event.duration = duration;
    if (typeof recordingUrl === 'string') event.recordingUrl = recordingUrl;
    event.result = oneOf(result, RESULTS) ? result : (event.duration ?? 0) > 0 ? 'answered' : 'missed';
    // Only the relay sets it; anything but `true` means "not expired" rather than a broken event.
    if (expired === true) event.expired = true;
  }
  return { ok: true, event };
}

/** The wire form of an event (what the relay sends and the benchmark/tests publish). */
export interface WireCallEvent {
  call_id: string;
  state: CallState;
  direction: CallDirection;
  phone: string;
  extension: string;
  at: number;
  duration?: number;
  recording_url?: string;
  result?: CallResult;
  expired?: boolean;
}

export function toWireEvent(event: CallEvent): WireCallEvent {
  const wire: WireCallEvent = {
    call_id: event.callId,
    state: event.state,
    direction: event.direction,
    phone: event.phone,
    extension: event.extension,
    at: event.at / 1000,
  };
  if (event.duration !== undefined) wire.duration = event.duration;
  if (event.recordingUrl !== undefined) wire.recording_url = event.recordingUrl;
  if (event.result !== undefined) wire.result = event.result;
  if (event.expired === true) wire.expired = true;
  return wire;
}
