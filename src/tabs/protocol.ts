/**
 * The messages tabs exchange (over BroadcastChannel or storage events). Every message carries
 * the protocol version, the account+user key and the sender's tab id; anything else (another
 * widget version, another user, a foreign script on the channel) is dropped with a reason.
 */
import { isRecord } from '../protocol/record';
import { PROTOCOL_VERSION } from './timing';
import type { Attention, Handover, PayloadCheck } from './types';

/** `P` the app's pop-up, `S` its shared state: opaque here, checked by the app's `PayloadChecks`. */
export type TabMessageBody<P = unknown, S = unknown> =
  /** A tab starts: asks the leader for a snapshot and tells everyone its attention. */
  | { type: 'hello'; attention: Attention }
  /** The leader announces itself (on taking over, and in answer to hello). */
  | { type: 'snapshot'; state: S | null; handover: Handover }
  | { type: 'state'; state: S }
  /** A call id popped or notified: every tab keeps the set, so any successor has it. */
  | { type: 'mark'; list: keyof Handover; callId: string }
  | { type: 'attention'; attention: Attention }
  /** The leader asks tab `to` to display a pop-up; it answers `popup-ack`. */
  | { type: 'popup'; to: string; callId: string; popup: P }
  | { type: 'popup-ack'; to: string; callId: string }
  /** A tab leaves; a leaving leader includes its handover so a follower can claim at once. */
  | { type: 'bye'; wasLeader: boolean; handover: Handover | null };

export type TabMessage<P = unknown, S = unknown> = { v: typeof PROTOCOL_VERSION; key: string; from: string } & TabMessageBody<P, S>;

export type ParsedMessage<P = unknown, S = unknown> = { ok: true; message: TabMessage<P, S> } | { ok: false; reason: string };

export interface PayloadChecks<P, S> {
  popup: PayloadCheck<P>;
  state: PayloadCheck<S>;
}

const MAX_ID = 128;


function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID;
}

export function parseAttention(value: unknown): Attention | null {
  if (!isRecord(value)) return null;
  if (value.kind === 'looking') return typeof value.since === 'number' && Number.isFinite(value.since) ? { kind: 'looking', since: value.since } : null;
  if (value.kind === 'visible' || value.kind === 'hidden') return { kind: value.kind };
  return null;
}

function parseIdList(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  return value.every(isId) ? (value as string[]) : null;
}

export function parseHandover(value: unknown): Handover | null {
  if (!isRecord(value)) return null;
  const popped = parseIdList(value.popped);
  const notified = parseIdList(value.notified);
  return popped && notified ? { popped, notified } : null;
}

function parseBody<P, S>(raw: Record<string, unknown>, checks: PayloadChecks<P, S>): TabMessageBody<P, S> | string {
  switch (raw.type) {
    case 'hello':
    case 'attention': {
      const attention = parseAttention(raw.attention);
      return attention ? { type: raw.type, attention } : 'bad attention';
    }
    case 'snapshot': {
      const handover = parseHandover(raw.handover);
      if (!handover) return 'bad handover';
      if (raw.state === null) return { type: 'snapshot', state: null, handover };
      const state = checks.state(raw.state);
      return state !== null ? { type: 'snapshot', state, handover } : 'bad state';
    }
    case 'state': {
      const state = checks.state(raw.state);
      return state !== null ? { type: 'state', state } : 'bad state';
    }
    case 'mark':
      return (raw.list === 'popped' || raw.list === 'notified') && isId(raw.callId) ? { type: 'mark', list: raw.list, callId: raw.callId } : 'bad mark';
    case 'popup': {
      const popup = checks.popup(raw.popup);
      return popup !== null && isId(raw.to) && isId(raw.callId) ? { type: 'popup', to: raw.to, callId: raw.callId, popup } : 'bad popup';
    }
    case 'popup-ack':
      return isId(raw.to) && isId(raw.callId) ? { type: 'popup-ack', to: raw.to, callId: raw.callId } : 'bad popup-ack';
    case 'bye': {
      if (typeof raw.wasLeader !== 'boolean') return 'bad bye';
      if (raw.handover === null) return { type: 'bye', wasLeader: raw.wasLeader, handover: null };
      const handover = parseHandover(raw.handover);
      return handover ? { type: 'bye', wasLeader: raw.wasLeader, handover } : 'bad handover';
    }
    default:
      return 'unknown type';
  }
}

/** Validates a message from another tab; `key` is this tab's account+user key. */
export function parseTabMessage<P, S>(raw: unknown, key: string, checks: PayloadChecks<P, S>): ParsedMessage<P, S> {
  if (!isRecord(raw)) return { ok: false, reason: 'not an object' };
  if (raw.v !== PROTOCOL_VERSION) return { ok: false, reason: `protocol version ${String(raw.v)}` };
  if (raw.key !== key) return { ok: false, reason: 'another account or user' };
  if (!isId(raw.from)) return { ok: false, reason: 'no sender' };
  const body = parseBody(raw, checks);
  if (typeof body === 'string') return { ok: false, reason: body };
  return { ok: true, message: { v: PROTOCOL_VERSION, key, from: raw.from, ...body } };
}
