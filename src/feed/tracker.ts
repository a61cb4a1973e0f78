/**
 * CallTracker: the feed's memory of call legs. States only move forward per leg (`call_id` +
 * `extension` from a version-2 relay, `call_id` alone from version 1), repeats produce nothing,
 * and a complete batch (a snapshot or a poll answer) that no longer holds a leg which never
 * ended reports it `vanished`. A fresh batch's unknown ended legs are remembered silently. Ended calls are forgotten a bounded time after
 * they were last seen and the number of remembered calls is capped, so memory stays flat
 * however long the tab runs.
 */
import type { Clock } from '../core/clock';
import { stateRank } from '../protocol/event';
import type { CallChange, CallEvent } from './types';

export interface CallTracker {
  /** Feeds one batch in; returns what moved forward, in batch order (vanished calls last). */
  apply(batch: { events: CallEvent[]; complete: boolean; legs?: boolean; fresh?: boolean }): CallChange[];
  /** Calls that are ringing or answered now. */
  active(): CallEvent[];
  /** How many calls are remembered (active + recently over); for tests and diagnostics. */
  size(): number;
}

export interface CallTrackerOptions {
  clock: Pick<Clock, 'now'>;
  /** How long an ended (or vanished) call is remembered, to swallow late repeats. */
  forgetEndedAfterMs?: number;
  /** Hard cap on remembered calls; the oldest finished ones go first. */
  maxCalls?: number;
}

type Entry =
  | { phase: 'active'; call: CallEvent; seenAt: number }
  | { phase: 'over'; call: CallEvent; seenAt: number; overAt: number };

export function createCallTracker(options: CallTrackerOptions): CallTracker {
  const forgetAfter = options.forgetEndedAfterMs ?? 10 * 60_000;
  const maxCalls = options.maxCalls ?? 1000;
  // Map keeps insertion order: the first entries are the oldest, which is what eviction wants.
  const calls = new Map<string, Entry>();

  function forgetOld(now: number): void {
    for (const [id, entry] of calls) {
      if (entry.phase === 'over' && now - entry.overAt >= forgetAfter) calls.delete(id);
    }
    // Still too many: the oldest over first, then active ones (a PBX that never sends `ended` must not grow us forever).
    for (const overOnly of calls.size > maxCalls ? [true, false] : []) {
      for (const [id, entry] of calls) if (calls.size > maxCalls && (!overOnly || entry.phase === 'over')) calls.delete(id);
    }
  }

  return {
    apply({ events, complete, legs = false, fresh = false }) {
      const now = options.clock.now();
      const changes: CallChange[] = [];
      const inBatch = new Set<string>();
      const seen = (leg: string, call: CallEvent, seenAt: number) =>
        calls.set(leg, call.state === 'ended' ? { phase: 'over', call, seenAt, overAt: now } : { phase: 'active', call, seenAt });
      for (const call of events) {
        const leg = legs ? `${call.callId}\n${call.extension}` : call.callId;
        inBatch.add(leg);
        const known = calls.get(leg);
        if (known === undefined) {
          seen(leg, call, now);
          // Ended before this widget listened (first answer, no position): someone else filed it, or nobody should.
          if (!(fresh && call.state === 'ended')) changes.push({ kind: 'state', call, previous: null, leg });
          continue;
        }
        // A call that is over (ended or vanished) stays over; a late or repeated state changes nothing.
        // Its memory lasts from the last sighting, not from the end: a poll answer lists ended calls
        // for 60 s on the relay's clock, and a wall clock set forward must not make us forget one
        // the relay still lists (it would be filed twice).
        if (known.phase === 'over') {
          known.overAt = now;
          continue;
        }
        if (stateRank(call.state) <= stateRank(known.call.state)) continue;
        seen(leg, call, known.seenAt);
        changes.push({ kind: 'state', call, previous: known.call.state, leg });
      }
      if (complete) {
        for (const [id, entry] of calls) {
          if (entry.phase !== 'active' || inBatch.has(id)) continue;
          calls.set(id, { ...entry, phase: 'over', overAt: now });
          changes.push({ kind: 'vanished', call: entry.call, leg: id });
        }
      }
      forgetOld(now);
      return changes;
    },
    active() {
      const list: CallEvent[] = [];
      for (const entry of calls.values()) if (entry.phase === 'active') list.push(entry.call);
      return list;
    },
    size() {
      return calls.size;
    },
  };
}
