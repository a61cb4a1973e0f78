/**
 * What the relay writes (docs/call-feed-protocol.md): snapshot, call and error frames and poll
 * payloads, version 1 and 2. The parsers in frames.ts read exactly these shapes; a round-trip
 * test keeps the two in step.
 */
import { toWireEvent } from './event';
import type { WireCallEvent } from './event';
import type { CallEvent } from './types';

/** An event with its place in the relay's stream (version 2). */
export interface SequencedEvent {
  offset: number;
  event: CallEvent;
}

export interface WireSequencedEvent {
  offset: number;
  call: WireCallEvent;
}

/** The header every version-2 snapshot and poll payload carries. */
export interface StreamAnswer {
  epoch: string;
  /** The relay's current offset: the widget's cursor once it has processed this answer. */
  offset: number;
  /** true: `missed` is every event after the widget's `since`, in order; false: replay the snapshot. */
  recovered: boolean;
  calls: readonly CallEvent[];
  missed: readonly SequencedEvent[];
}

function sequenced(list: readonly SequencedEvent[]): WireSequencedEvent[] {
  return list.map(({ offset, event }) => ({ offset, call: toWireEvent(event) }));
}

export function composeSnapshotV1(calls: readonly CallEvent[]) {
  return { type: 'snapshot' as const, calls: calls.map(toWireEvent) };
}

export function composeSnapshotV2(answer: StreamAnswer) {
  return {
    type: 'snapshot' as const,
    v: 2 as const,
    epoch: answer.epoch,
    offset: answer.offset,
    recovered: answer.recovered,
    calls: answer.calls.map(toWireEvent),
    events: sequenced(answer.missed),
  };
}

/** A live event: version 2 carries its offset, version 1 does not. */
export function composeCallFrame(event: CallEvent, offset: number | null) {
  return offset === null ? { type: 'call' as const, call: toWireEvent(event) } : { type: 'call' as const, offset, call: toWireEvent(event) };
}

export function composePollV1(calls: readonly CallEvent[]) {
  return { calls: calls.map(toWireEvent) };
}

export function composePollV2(answer: StreamAnswer) {
  return { v: 2 as const, epoch: answer.epoch, offset: answer.offset, recovered: answer.recovered, calls: answer.calls.map(toWireEvent), events: sequenced(answer.missed) };
}

/** `overloaded` carries `retry_after` (seconds): the one error that asks the widget to back off. */
export function composeError(code: string, detail: { reason?: string; retryAfterS?: number } = {}) {
  const frame: { type: 'error'; code: string; reason?: string; retry_after?: number } = { type: 'error', code };
  if (detail.reason !== undefined) frame.reason = detail.reason;
  if (detail.retryAfterS !== undefined) frame.retry_after = detail.retryAfterS;
  return frame;
}
