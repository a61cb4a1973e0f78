/**
 * One entry of the cluster's shared log (a Redis Stream): a POST's events, or a tick of the
 * relay clock (expiry). Every node applies the same entries in the same order to its own copy of
 * the store, so their legs, offsets and history agree without asking each other. The log also
 * carries asks to the holder of a role and their answers (click-to-call reaching the node that
 * holds the PBX connection): they change no store, and every node but the two concerned skips them.
 *
 * An entry is read back from Redis, so it is input like any other: a malformed one is refused by
 * `decodeEntry` (the reader logs and skips it, on every node alike).
 */
import { isRecord, parseCallEvent, toWireEvent } from '../../../src/protocol';
import type { CallEvent } from '../../../src/protocol';

export type LogEntry =
  /** `source`: the submitting node's id and its request number, so it finds its own answer. */
  | { kind: 'events'; now: number; events: readonly CallEvent[]; source: string }
  | { kind: 'tick'; now: number }
  /** `id`: unique per ask; `from`: the asking node; past `deadline` (ms) the asker no longer waits. */
  | { kind: 'ask'; now: number; id: string; role: string; from: string; deadline: number; body: unknown }
  | { kind: 'answer'; now: number; id: string; to: string; body: unknown };

/** Ids, roles and node names are short plain strings; anything else is not ours. */
const NAME = /^[A-Za-z0-9._:-]{1,128}$/;
const isName = (value: unknown): value is string => typeof value === 'string' && NAME.test(value);

export type Decoded = { ok: true; entry: LogEntry } | { ok: false; reason: string };

export function encodeEntry(entry: LogEntry): string {
  if (entry.kind === 'tick') return JSON.stringify({ k: 't', n: entry.now });
  if (entry.kind === 'ask') return JSON.stringify({ k: 'a', n: entry.now, i: entry.id, r: entry.role, f: entry.from, d: entry.deadline, b: entry.body });
  if (entry.kind === 'answer') return JSON.stringify({ k: 'r', n: entry.now, i: entry.id, t: entry.to, b: entry.body });
  return JSON.stringify({ k: 'e', n: entry.now, s: entry.source, e: entry.events.map(toWireEvent) });
}

export function decodeEntry(payload: string): Decoded {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isRecord(raw) || typeof raw.n !== 'number' || !Number.isSafeInteger(raw.n) || raw.n < 0) return { ok: false, reason: 'no clock' };
  if (raw.k === 't') return { ok: true, entry: { kind: 'tick', now: raw.n } };
  if (raw.k === 'a') {
    if (!isName(raw.i) || !isName(raw.r) || !isName(raw.f) || typeof raw.d !== 'number' || !Number.isSafeInteger(raw.d)) return { ok: false, reason: 'ask without id, role, node or deadline' };
    return { ok: true, entry: { kind: 'ask', now: raw.n, id: raw.i, role: raw.r, from: raw.f, deadline: raw.d, body: raw.b ?? null } };
  }
  if (raw.k === 'r') {
    if (!isName(raw.i) || !isName(raw.t)) return { ok: false, reason: 'answer without id or node' };
    return { ok: true, entry: { kind: 'answer', now: raw.n, id: raw.i, to: raw.t, body: raw.b ?? null } };
  }
  if (raw.k !== 'e' || typeof raw.s !== 'string' || !Array.isArray(raw.e)) return { ok: false, reason: 'unknown kind' };
  const events: CallEvent[] = [];
  for (const wire of raw.e as unknown[]) {
    const parsed = parseCallEvent(wire, raw.n);
    if (!parsed.ok) return { ok: false, reason: `event: ${parsed.reason}` };
    events.push(parsed.event);
  }
  return { ok: true, entry: { kind: 'events', now: raw.n, events, source: raw.s } };
}
