/**
 * A node's whole store at one log entry, kept in Redis so that a node starting later (or again)
 * begins from it and reads the log from there on, and so that the log can be trimmed.
 * Written by one node, read by others: decoding checks every field, and a snapshot that fails is
 * not used (the node reads the log from its start instead, or waits for the next one).
 */
import { isRecord, parseCallEvent, toWireEvent } from '../../../src/protocol';
import type { CallEvent } from '../../../src/protocol';
import type { HistoryEntry } from '../journal';
import type { SavedState } from '../memory-store';
import type { Leg } from '../store';

export interface Snapshot {
  epoch: string;
  /** The last log entry applied to `state`. */
  id: string;
  /** The replica's clock then. */
  clock: number;
  state: SavedState;
  /**
   * Written into a Redis that had lost the cluster's state (maintainer.ts): the log that follows
   * is a new stream, so its first entry comes after `id` without anything being trimmed between.
   */
  seeded?: boolean;
}

const FORMAT = 1;

export function encodeSnapshot(s: Snapshot): string {
  return JSON.stringify({
    v: FORMAT,
    epoch: s.epoch,
    id: s.id,
    clock: s.clock,
    offset: s.state.offset,
    floor: s.state.globalFloor,
    legs: s.state.legs.map((leg) => [leg.offset, leg.stateAt, toWireEvent(leg.event)]),
    history: s.state.history.map((entry) => [entry.offset, entry.storedAt, toWireEvent(entry.event)]),
    floors: s.state.floors,
    ...(s.seeded === true ? { seeded: true } : {}),
  });
}

const count = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function rows(raw: unknown, clock: number): Array<{ offset: number; at: number; event: CallEvent }> | null {
  if (!Array.isArray(raw)) return null;
  const out: Array<{ offset: number; at: number; event: CallEvent }> = [];
  for (const row of raw as unknown[]) {
    if (!Array.isArray(row) || row.length !== 3 || !count(row[0]) || !count(row[1])) return null;
    const parsed = parseCallEvent(row[2], clock);
    if (!parsed.ok) return null;
    out.push({ offset: row[0], at: row[1], event: parsed.event });
  }
  return out;
}

export function decodeSnapshot(payload: string): { ok: true; snapshot: Snapshot } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isRecord(raw) || raw.v !== FORMAT) return { ok: false, reason: 'unknown format' };
  const { epoch, id, clock, offset, floor, floors } = raw;
  if (typeof epoch !== 'string' || typeof id !== 'string' || !count(clock) || !count(offset) || !count(floor)) return { ok: false, reason: 'bad header' };
  const legRows = rows(raw.legs, clock);
  const historyRows = rows(raw.history, clock);
  if (legRows === null || historyRows === null) return { ok: false, reason: 'bad rows' };
  if (!Array.isArray(floors) || !floors.every((f: unknown) => Array.isArray(f) && f.length === 2 && typeof f[0] === 'string' && count(f[1]))) return { ok: false, reason: 'bad floors' };
  const legs: Leg[] = legRows.map((r) => ({ offset: r.offset, stateAt: r.at, event: r.event }));
  const history: HistoryEntry[] = historyRows.map((r) => ({ offset: r.offset, storedAt: r.at, event: r.event }));
  const state = { offset, globalFloor: floor, legs, history, floors: floors as Array<[string, number]> };
  return { ok: true, snapshot: { epoch, id, clock, state, ...(raw.seeded === true ? { seeded: true } : {}) } };
}
