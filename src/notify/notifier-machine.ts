/**
 * The CallNotifier's decisions, as data: how each call change, lookup answer and timer moves
 * the pop-up and the completed notification of its call (popup-machine.ts, filing-machine.ts).
 * At most one of each per `call_id`, whatever the feed repeats (reconnect snapshots, poll
 * answers that keep ended calls 60 s, a new leader replaying calls) and however many of the
 * user's extensions it rings (legs.ts). The lookup starts when a call is first seen. A ring
 * older than `popupMaxAgeMs` (a replay after an outage) is tracked and filed but pops nothing.
 */
import type { CallChange, CallEvent } from '../feed/types';
import type { LookupResult } from '../lookup/types';
import type { NotifyEffect, Step, TimerName } from './effects';
import type { FilingConfig, FilingInput, FilingState, LookupState } from './filing-machine';
import type { PopupConfig, PopupInput, PopupState } from './popup-machine';
import type { Memory } from './memory';
import type { CallLegs } from './legs';
import { stepFiling, withMissedPopups } from './filing-machine';
import { legLive, legOver } from './legs';
import { stepPopup } from './popup-machine';
import { forgetId, pruneMemory, rememberId } from './memory';

export interface TrackedCall {
  callId: string;
  /** Tells this call's lookup answer from that of an earlier call with the same id. */
  seq: number;
  lookup: LookupState;
  popup: PopupState;
  filing: FilingState;
  legs: CallLegs;
}

export type NotifierState =
  | { state: 'running'; active: ReadonlyMap<string, TrackedCall>; memory: Memory; seq: number }
  /** Ignores every input; still answers which ids it filed, for the next leader. */
  | { state: 'disposed'; memory: Memory };

export type NotifierInput =
  | { kind: 'change'; change: CallChange; now: number }
  | { kind: 'lookup-answered'; callId: string; seq: number; result: LookupResult | null; now: number }
  | { kind: 'timer'; timer: TimerName; callId: string; now: number }
  | { kind: 'post-failed'; event: CallEvent; result: LookupResult | null; error: unknown }
  | { kind: 'remember'; ids: unknown; now: number }
  | { kind: 'dispose' };

export interface NotifierConfig extends PopupConfig, FilingConfig {
  rememberMs: number;
  popupMaxAgeMs: number;
  maxActive: number;
  maxRemembered: number;
}

export const initialNotifierState: NotifierState = { state: 'running', active: new Map(), memory: new Map(), seq: 0 };

/** The state with expired and surplus ids forgotten. */
export function pruneNotifier(state: NotifierState, now: number, config: NotifierConfig): NotifierState {
  const memory = pruneMemory(state.memory, now, config.maxRemembered);
  return memory === state.memory ? state : { ...state, memory };
}

const CANCEL = { kind: 'cancel' } as const;
const OVER = { kind: 'budget-over' } as const;

/** One step's working copy: the input state is never changed. */
interface Draft {
  active: Map<string, TrackedCall>;
  memory: Memory;
  seq: number;
  effects: NotifyEffect[];
  config: NotifierConfig;
}

export function stepNotifier(state: NotifierState, input: NotifierInput, config: NotifierConfig): Step<NotifierState> {
  if (state.state === 'disposed') return { state, effects: [] };
  const d: Draft = { active: new Map(state.active), memory: state.memory, seq: state.seq, effects: [], config };
  switch (input.kind) {
    case 'change':
      onChange(d, input.change, input.now);
      break;
    case 'lookup-answered': {
      const call = d.active.get(input.callId);
      if (call?.seq !== input.seq) break;
      const answer = { kind: 'lookup-answered', result: input.result } as const;
      move(d, { ...call, lookup: { state: 'done', result: input.result } }, answer, answer, input.now);
      break;
    }
    case 'timer': {
      const call = d.active.get(input.callId);
      if (!call) break;
      const popup = input.timer === 'popup';
      move(d, call, popup ? OVER : null, popup ? null : OVER, input.now);
      break;
    }
    case 'post-failed':
      // Whatever the call did since: the pop-up stands in for the call event Kommo did not take.
      d.effects.push(
        { kind: 'warn', message: 'notify: event post failed; pop-up instead', data: { callId: input.event.callId, error: input.error } },
        { kind: 'show-popup', event: input.event, result: input.result },
      );
      break;
    case 'remember':
      onRemember(d, input.ids, input.now);
      break;
    case 'dispose':
      for (const call of [...d.active.values()]) settle(d, call);
      return { state: { state: 'disposed', memory: d.memory }, effects: d.effects };
  }
  return { state: { state: 'running', active: d.active, memory: d.memory, seq: d.seq }, effects: d.effects };
}

function onChange(d: Draft, change: CallChange, now: number): void {
  const event = change?.call;
  const id = event?.callId;
  if (typeof id !== 'string' || id === '') {
    d.effects.push({ kind: 'warn', message: 'notify: no call id, dropped' });
    return;
  }
  d.memory = pruneMemory(d.memory, now, d.config.maxRemembered);
  const tracked = d.active.get(id);
  const leg = change.leg ?? id;
  if (change.kind === 'vanished') {
    // Over without an `ended`: nothing to say about this leg.
    if (tracked) legDone(d, tracked, leg, null, now);
    return;
  }
  if (tracked) {
    // Once per call: a call in progress is tracked once (another leg rings: no second pop-up).
    if (event.state === 'ended') legDone(d, tracked, leg, event, now);
    else d.active.set(id, { ...tracked, legs: legLive(tracked.legs, leg) });
    return;
  }
  const memory = d.memory.get(id);
  // Once per call: a call whose story is over here stays over.
  if (memory?.source === 'local') return;
  if (memory?.source === 'handover') {
    // Once per call: the previous leader showed its pop-up, and filed the calls that ended on its watch.
    if (event.state === 'ended') return;
    d.memory = forgetId(d.memory, id);
    track(d, event, leg, CANCEL, now);
    return;
  }
  if (event.state === 'ringing' && now - event.at <= d.config.popupMaxAgeMs) {
    track(d, event, leg, { kind: 'ringing', event }, now);
    return;
  }
  // First seen answered or ended, or ringing for long: no pop-up, still its completed notification.
  const call = track(d, event, leg, CANCEL, now);
  if (event.state === 'ended') legDone(d, call, leg, event, now);
}

/** A leg is over (`ended` null: vanished); the last one ends the call: filed with its best end, or finished. */
function legDone(d: Draft, call: TrackedCall, leg: string, ended: CallEvent | null, now: number): void {
  const next = { ...call, legs: legOver(call.legs, leg, ended) };
  d.active.set(call.callId, next);
  if (next.legs.live.size > 0) return;
  const best = next.legs.best;
  if (best !== null) move(d, next, CANCEL, { kind: 'ended', event: best, lookup: next.lookup }, now);
  // Nothing to file (vanished, expired): done, unless its filing already waits for the lookup.
  else if (next.filing.state !== 'waiting') finish(d, next, now);
}

function onRemember(d: Draft, ids: unknown, now: number): void {
  if (!Array.isArray(ids)) return;
  for (const id of ids as unknown[]) {
    if (typeof id !== 'string' || id === '') continue;
    const tracked = d.active.get(id);
    if (tracked) {
      // Shown by the previous leader; this notifier still files the end.
      move(d, tracked, CANCEL, null, now);
      continue;
    }
    if (d.memory.get(id)?.source !== 'local') d.memory = rememberId(d.memory, id, 'handover', now, d.config.rememberMs);
  }
  d.memory = pruneMemory(d.memory, now, d.config.maxRemembered);
}

function track(d: Draft, event: CallEvent, leg: string, popup: PopupInput, now: number): TrackedCall {
  d.seq += 1;
  const legs: CallLegs = { live: new Set([leg]), best: null };
  const call: TrackedCall = { callId: event.callId, seq: d.seq, lookup: { state: 'pending' }, popup: { state: 'none' }, filing: { state: 'none' }, legs };
  d.active.set(call.callId, call);
  for (const old of d.active.values()) {
    if (d.active.size <= d.config.maxActive) break;
    // A call never ended nor vanished (a feed bug): drop the oldest rather than grow forever.
    d.effects.push({ kind: 'warn', message: 'notify: too many calls, oldest dropped', data: { callId: old.callId } });
    finish(d, old, now);
  }
  d.effects.push({ kind: 'look-up', callId: call.callId, seq: call.seq, phone: event.phone });
  return move(d, call, popup, null, now);
}

/** Steps the call's two machines (the pop-up first); a filed call is finished. */
function move(d: Draft, call: TrackedCall, popup: PopupInput | null, filing: FilingInput | null, now: number): TrackedCall {
  let next = call;
  if (popup) {
    const step = stepPopup(next.popup, popup, d.config);
    next = { ...next, popup: step.state };
    d.effects.push(...step.effects);
  }
  if (filing) {
    const step = stepFiling(next.filing, filing, d.config);
    next = { ...next, filing: step.state };
    d.effects.push(...withMissedPopups(step.effects, now, d.config.popupMaxAgeMs));
  }
  d.active.set(next.callId, next);
  if (next.filing.state === 'done') finish(d, next, now);
  return next;
}

/** Stops whatever the call still waits for, so a late lookup answer shows nothing. */
function settle(d: Draft, call: TrackedCall): void {
  d.effects.push(...stepPopup(call.popup, CANCEL, d.config).effects, ...stepFiling(call.filing, CANCEL, d.config).effects);
}

/** Done with a call: stop tracking it, remember its id so replays change nothing. */
function finish(d: Draft, call: TrackedCall, now: number): void {
  settle(d, call);
  d.active.delete(call.callId);
  d.memory = rememberId(d.memory, call.callId, 'local', now, d.config.rememberMs);
}
