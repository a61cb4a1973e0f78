/**
 * The changes an operation on the in-memory state makes, in order. The memory store drops them;
 * the SQLite store writes them in one transaction before the operation returns.
 */
import type { CallEvent } from '../../src/protocol';
import type { Leg } from './store';

export interface HistoryEntry {
  offset: number;
  event: CallEvent;
  /** Relay clock (ms) when it was emitted: the history's age limit counts from here. */
  storedAt: number;
}

export type StoreChange =
  | { kind: 'leg_put'; leg: Leg }
  | { kind: 'leg_delete'; callId: string; extension: string }
  | { kind: 'history_append'; entry: HistoryEntry }
  | { kind: 'history_delete'; offset: number }
  | { kind: 'floor_set'; extension: string; floor: number }
  | { kind: 'floor_delete'; extension: string };

export interface Journal {
  record(change: StoreChange): void;
}

/** The memory store's journal: nothing to write. */
export const NO_JOURNAL: Journal = { record() {} };
