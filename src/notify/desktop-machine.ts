/**
 * When the leader shows and closes a desktop notification, as data (no clock, no browser).
 * One per call: it follows the call's ringing pop-up, which the tab layer displays once per call
 * across the browser, in the tab the user looks at, else in the leader's own tab. So a pop-up the
 * leader displays while its own tab is hidden is one nobody sees: no Kommo tab is looked at, and
 * this one is not even visible. Only then, with the permission, and only for an inbound call still
 * ringing, does the notification come; it goes when the call is answered or over, or is clicked.
 */
import type { CallChange, CallEvent } from '../feed/types';
import type { LookupResult } from '../lookup/types';
import type { DesktopPermission } from './desktop-types';
import { desktopCardPath } from './desktop-text';

type Note = 'none' | 'shown' | 'closed';

export interface DesktopCall {
  readonly call: CallEvent;
  /** The call's legs still ringing (a ring group rings several of the user's extensions). */
  readonly legs: ReadonlySet<string>;
  /** The lookup's answer, once it came (the pop-up shows what had come by then). */
  readonly lookup: LookupResult | null;
  readonly note: Note;
}

export interface DesktopState {
  /** Inbound calls ringing now. */
  readonly calls: ReadonlyMap<string, DesktopCall>;
  /** Calls over here, newest last: a replayed ring of one is not a new call. */
  readonly over: readonly string[];
}

export type DesktopInput =
  | { kind: 'change'; change: CallChange }
  | { kind: 'looked-up'; phone: string; result: LookupResult }
  /** The call's pop-up was displayed in this (the leader's) tab; `hidden`: this tab is not visible. */
  | { kind: 'displayed'; callId: string; hidden: boolean; permission: DesktopPermission }
  | { kind: 'clicked'; callId: string }
  /** Closed by the user, the system, or by this machine's own `close`. */
  | { kind: 'dismissed'; callId: string }
  | { kind: 'stop' };

export type DesktopEffect =
  | { kind: 'show'; callId: string; call: CallEvent; lookup: LookupResult | null }
  | { kind: 'close'; callId: string }
  /** Focus this tab and open the card (`path` null: no card to open). */
  | { kind: 'open'; path: string | null };

export type DesktopStep = { state: DesktopState; effects: DesktopEffect[] };

/** Bounds: a feed that never ends its calls cannot grow either list. */
export const DESKTOP_LIMITS = { maxCalls: 50, maxOver: 200 } as const;

export const initialDesktopState: DesktopState = { calls: new Map(), over: [] };

/**
 * The permission offer goes into this leader's first pop-up of an incoming call still ringing
 * (the calls the notifications are for), while the browser has not been asked.
 */
export function offersPermission(state: DesktopState, callId: string | undefined, permission: DesktopPermission, offeredAlready: boolean): boolean {
  return permission === 'default' && !offeredAlready && callId !== undefined && state.calls.has(callId);
}

function withCalls(state: DesktopState, calls: Map<string, DesktopCall>): DesktopState {
  return { ...state, calls };
}

/** The call is over here: closed if it was shown, forgotten, remembered as over. */
function finish(state: DesktopState, callId: string): DesktopStep {
  const tracked = state.calls.get(callId);
  const calls = new Map(state.calls);
  calls.delete(callId);
  const over = [...state.over.filter((id) => id !== callId), callId].slice(-DESKTOP_LIMITS.maxOver);
  return { state: { calls, over }, effects: tracked?.note === 'shown' ? [{ kind: 'close', callId }] : [] };
}

function onChange(state: DesktopState, change: CallChange): DesktopStep {
  const call = change.call;
  const callId = call?.callId;
  if (typeof callId !== 'string' || callId === '') return { state, effects: [] };
  const leg = change.leg ?? callId;
  const tracked = state.calls.get(callId);
  if (change.kind === 'state' && call.state === 'ringing') {
    if (tracked) return tracked.legs.has(leg) ? { state, effects: [] } : { state: withCalls(state, new Map(state.calls).set(callId, { ...tracked, legs: new Set([...tracked.legs, leg]) })), effects: [] };
    if (call.direction !== 'inbound' || state.over.includes(callId)) return { state, effects: [] };
    const effects: DesktopEffect[] = [];
    let next = withCalls(state, new Map(state.calls).set(callId, { call, legs: new Set([leg]), lookup: null, note: 'none' }));
    // Maps keep insertion order: the first key is the oldest call.
    for (let oldest = next.calls.keys().next(); next.calls.size > DESKTOP_LIMITS.maxCalls && !oldest.done; oldest = next.calls.keys().next()) {
      const done = finish(next, oldest.value);
      next = done.state;
      effects.push(...done.effects);
    }
    return { state: next, effects };
  }
  if (!tracked) return { state, effects: [] };
  // Answered on any leg: somebody took it. Ended or vanished: over once no leg rings any more.
  if (change.kind === 'state' && call.state === 'answered') return finish(state, callId);
  const legs = new Set(tracked.legs);
  legs.delete(leg);
  if (legs.size === 0) return finish(state, callId);
  return { state: withCalls(state, new Map(state.calls).set(callId, { ...tracked, legs })), effects: [] };
}

export function stepDesktop(state: DesktopState, input: DesktopInput): DesktopStep {
  switch (input.kind) {
    case 'change':
      return onChange(state, input.change);
    case 'looked-up': {
      let calls: Map<string, DesktopCall> | null = null;
      for (const [id, tracked] of state.calls) {
        if (tracked.call.phone !== input.phone || tracked.lookup !== null) continue;
        calls ??= new Map(state.calls);
        calls.set(id, { ...tracked, lookup: input.result });
      }
      return { state: calls ? withCalls(state, calls) : state, effects: [] };
    }
    case 'displayed': {
      const tracked = state.calls.get(input.callId);
      if (!tracked || tracked.note !== 'none') return { state, effects: [] };
      const show = input.hidden && input.permission === 'granted';
      const calls = new Map(state.calls).set(input.callId, { ...tracked, note: show ? 'shown' : 'closed' });
      return { state: withCalls(state, calls), effects: show ? [{ kind: 'show', callId: input.callId, call: tracked.call, lookup: tracked.lookup }] : [] };
    }
    case 'clicked': {
      const tracked = state.calls.get(input.callId);
      if (tracked?.note !== 'shown') return { state, effects: [] };
      const calls = new Map(state.calls).set(input.callId, { ...tracked, note: 'closed' });
      return { state: withCalls(state, calls), effects: [{ kind: 'open', path: desktopCardPath(tracked.lookup) }, { kind: 'close', callId: input.callId }] };
    }
    case 'dismissed': {
      const tracked = state.calls.get(input.callId);
      if (tracked?.note !== 'shown') return { state, effects: [] };
      return { state: withCalls(state, new Map(state.calls).set(input.callId, { ...tracked, note: 'closed' })), effects: [] };
    }
    case 'stop': {
      const effects: DesktopEffect[] = [];
      for (const [callId, tracked] of state.calls) if (tracked.note === 'shown') effects.push({ kind: 'close', callId });
      return { state: initialDesktopState, effects };
    }
  }
}
