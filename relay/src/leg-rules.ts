/**
 * The rules for a new event, as pure functions of the state and the input (no clock, no I/O):
 * which leg it belongs to, whether it is stored, ignored or refused, when a leg expires and what
 * its expired end looks like, and what happens to an absurd `at`.
 * docs/call-feed-protocol.md ("Version 2") documents each rule.
 */
import { stateRank } from '../../src/protocol';
import type { CallEvent, CallState } from '../../src/protocol';
import type { StoreLimits } from './store';

/** One leg per call and extension: a ring group's call has one leg per extension it rings. */
export function legKey(event: Pick<CallEvent, 'callId' | 'extension'>): string {
  return JSON.stringify([event.callId, event.extension]);
}

export type LegDecision =
  /** Store it; `evictOldestEnded`: first forget the oldest ended leg to make room. */
  | { kind: 'store'; evictOldestEnded: boolean }
  /** A repeat or a late state (not forward): harmless, nothing changes. */
  | { kind: 'ignore' }
  /** A new leg while every remembered leg is live: refused (503 full), nothing evicted. */
  | { kind: 'refuse' };

export interface Room {
  legs: number;
  maxLegs: number;
  endedLegs: number;
}

export function decideEvent(known: CallEvent | undefined, event: CallEvent, room: Room): LegDecision {
  if (known !== undefined) {
    // States only move forward per leg; the same leg never needs room.
    return stateRank(event.state) > stateRank(known.state) ? { kind: 'store', evictOldestEnded: false } : { kind: 'ignore' };
  }
  if (room.legs < room.maxLegs) return { kind: 'store', evictOldestEnded: false };
  // A live leg is never evicted: the employee would lose a call that is still going on.
  return room.endedLegs > 0 ? { kind: 'store', evictOldestEnded: true } : { kind: 'refuse' };
}

/** How long a leg stays in a state before the relay acts: live legs expire, ended ones are forgotten. */
export function maxAgeIn(state: CallState, limits: StoreLimits): number {
  if (state === 'ringing') return limits.ringingMaxAgeMs;
  if (state === 'answered') return limits.answeredMaxAgeMs;
  return limits.endedKeepMs;
}

/**
 * The end the relay emits for a leg whose PBX never sent one. Its result says what the relay
 * knew (still ringing: `missed`; answered: `answered`, with no duration); `expired` says the
 * PBX never confirmed it, so a widget files no completed-call notification for it.
 */
export function expiredEnd(last: CallEvent, now: number): CallEvent {
  return {
    callId: last.callId,
    state: 'ended',
    direction: last.direction,
    phone: last.phone,
    extension: last.extension,
    at: now,
    result: last.state === 'answered' ? 'answered' : 'missed',
    expired: true,
  };
}

/** `at` outside [receipt - 24 h, receipt + 5 min] is a PBX clock fault (1970 after a reboot, a wrong year). */
export const AT_WINDOW = { pastMs: 24 * 60 * 60 * 1000, futureMs: 5 * 60 * 1000 } as const;

/**
 * Clamps an absurd `at` to the receipt time rather than refusing the event: a PBX whose clock is
 * wrong still has real calls, and refusing them would lose every call until someone fixes the
 * clock. The relay logs each clamp.
 */
export function admitTime(event: CallEvent, receivedAt: number): { event: CallEvent; clamped: boolean } {
  if (event.at >= receivedAt - AT_WINDOW.pastMs && event.at <= receivedAt + AT_WINDOW.futureMs) return { event, clamped: false };
  return { event: { ...event, at: receivedAt }, clamped: true };
}
