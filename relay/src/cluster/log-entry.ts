/**
 * One entry of the cluster's shared log (a Redis Stream): a POST's events, or a tick of the
 * relay clock (expiry). Every node applies the same entries in the same order to its own copy of
 * the store, so their legs, offsets and history agree without asking each other.
 *
 * An entry is read back from Redis, so it is input like any other: a malformed one is refused by
 * `decodeEntry` (the reader logs and skips it, on every node alike).
 */
import { isRecord, parseCallEvent, toWireEvent } from '../../../src/protocol';
import type { CallEvent } from '../../../src/protocol';

export type LogEntry =
  /** `source`: the submitting node's id and its request number, so it finds its own answer. */
  | { kind: 'events'; now: number; events: readonly CallEvent[]; source: string }
  | { kind: 'tick'; now: number };

export type Decoded = { ok: true; entry: LogEntry } | { ok: false; reason: string };

export function encodeEntry(entry: LogEntry): string {
  if (entry.kind === 'tick') return JSON.stringify({ k: 't', n: entry.now });
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
  if (raw.k !== 'e' || typeof raw.s !== 'string' || !Array.isArray(raw.e)) return { ok: false, reason: 'unknown kind' };
  const events: CallEvent[] = [];
  for (const wire of raw.e as unknown[]) {
    const parsed = parseCallEvent(wire, raw.n);
    if (!parsed.ok) return { ok: false, reason: `event: ${parsed.reason}` };
    events.push(parsed.event);
  }
  return { ok: true, entry: { kind: 'events', now: raw.n, events, source: raw.s } };
}
