/**
 * Protocol version 2's stream position (docs/call-feed-protocol.md, "Version 2"): every event a
 * relay emits gets an `offset`, one increasing sequence per relay store, named by an `epoch`
 * that changes whenever that store's history is new or lost. A widget that reconnects sends the
 * last position it processed (`since`) and gets what it missed, or is told the relay cannot.
 * Pure: used by the widget (to read and send positions) and by the relay (to parse them).
 */
import { isRecord } from './record';

/** The highest protocol version this code speaks. */
export const PROTOCOL_VERSION = 2;

/** Limits of the stream fields, so both sides refuse the same nonsense. */
export const STREAM_LIMITS = {
  /** An epoch is an opaque token of 1..64 characters without white space or `:`. */
  epochChars: 64,
} as const;

export interface StreamCursor {
  epoch: string;
  /** The offset of the last event the widget processed (or of the snapshot it got). */
  offset: number;
}

const EPOCH = /^[^\s:]{1,64}$/;

export function isEpoch(value: unknown): value is string {
  return typeof value === 'string' && EPOCH.test(value);
}

export function isOffset(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** `{"epoch": "...", "offset": N}` (the subscribe frame's `since`); null when it is not one. */
export function parseCursor(raw: unknown): StreamCursor | null {
  if (!isRecord(raw) || !isEpoch(raw.epoch) || !isOffset(raw.offset)) return null;
  return { epoch: raw.epoch, offset: raw.offset };
}

/** `E:N`, the poll request's `since` parameter. */
export function formatCursorParam(cursor: StreamCursor): string {
  return `${cursor.epoch}:${cursor.offset}`;
}

export function parseCursorParam(text: string): StreamCursor | null {
  const match = /^([^\s:]{1,64}):(\d{1,16})$/.exec(text);
  if (match === null) return null;
  const offset = Number(match[2]);
  return isOffset(offset) ? { epoch: match[1] as string, offset } : null;
}

/**
 * A requested version (`"v"` in a subscribe frame, `v=` in a poll): absent is 1; a positive
 * integer is answered with the highest version both sides speak; anything else is null (refused).
 */
export function negotiateVersion(raw: unknown): 1 | 2 | null {
  if (raw === undefined || raw === null) return 1;
  const value = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) return null;
  return value >= 2 ? 2 : 1;
}
