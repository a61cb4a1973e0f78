/**
 * Legs within calls: opening one, tying channels to it, and the moments it moves (ringing,
 * answered, ended). The leg's own state machine is tracker-legs.ts; this file decides *when*:
 * - a leg ends when its last channel has gone; a ring-group, queue or hunt-group leg that was
 *   not answered waits for the call instead (the queue may ring it again; a colleague may still
 *   answer, which makes it `answered_elsewhere`, not a missed call in this employee's bell);
 * - a call is over when its last channel has gone: every leg still open ends then.
 */
import type { CallDirection, CallEvent } from '../../../src/protocol';
import { answerLeg, endLeg, ringLeg } from './tracker-legs';
import type { LegStep } from './tracker-legs';
import { callFor, legKey, remember } from './tracker-state';
import type { Channel, EndHint, Leg, TrackerState } from './tracker-state';

export type Out = CallEvent[];

export interface LegOpening {
  callId: string;
  extension: string;
  direction: CallDirection;
  phone: string;
}

/** The live leg for (call, extension), opened if new; undefined when that leg already ended. */
export function openLeg(state: TrackerState, o: LegOpening, at: number, out: Out): string | undefined {
  const key = legKey(o.callId, o.extension);
  if (state.legs.has(key)) return key;
  if (state.ended.has(key)) return undefined;
  while (state.legs.size >= state.env.limits.maxLive) {
    const oldest = state.legs.keys().next().value as string;
    state.env.log('asterisk tracker: too many live legs, the oldest ended as expired', { limit: state.env.limits.maxLive });
    closeLeg(state, oldest, at, out, true);
  }
  state.legs.set(key, { key, ...o, openedAt: at, phase: 'pending' });
  state.members.set(key, new Set());
  callFor(state, o.callId, at).legs.add(key);
  return key;
}

export function attach(state: TrackerState, chan: Channel, key: string): void {
  if (chan.leg === key) return;
  if (chan.leg !== undefined) state.members.get(chan.leg)?.delete(chan.uniqueid);
  chan.leg = key;
  state.members.get(key)?.add(chan.uniqueid);
}

function apply(state: TrackerState, step: LegStep, out: Out): void {
  if (step.event) out.push(step.event);
  const { leg } = step;
  if (leg.phase !== 'ended') {
    state.legs.set(leg.key, leg);
    return;
  }
  // A channel's `far` may still name the ended leg: every use looks the leg up, finds none.
  for (const uniqueid of state.members.get(leg.key) ?? []) {
    const chan = state.channels.get(uniqueid);
    if (chan?.leg === leg.key) chan.leg = undefined;
  }
  state.legs.delete(leg.key);
  state.members.delete(leg.key);
  state.calls.get(leg.callId)?.legs.delete(leg.key);
  remember(state.ended, leg.key, leg.endedAt, state.env.limits.maxEnded);
}

export function ring(state: TrackerState, key: string | undefined, at: number, out: Out): void {
  const leg = key === undefined ? undefined : state.legs.get(key);
  if (leg) apply(state, ringLeg(leg, at), out);
}

export function hint(state: TrackerState, key: string | undefined, value: EndHint | undefined, weak = false): void {
  const leg = key === undefined ? undefined : state.legs.get(key);
  if (!leg || value === undefined || (weak && leg.hint !== undefined && value !== 'answered_elsewhere')) return;
  if (leg.phase !== 'ended' && leg.hint !== 'answered_elsewhere') state.legs.set(leg.key, { ...leg, hint: value });
}

/** Answers a leg; the colleagues' legs already waiting without a phone end `answered_elsewhere`. */
export function answer(state: TrackerState, key: string, at: number, out: Out): void {
  const leg = state.legs.get(key);
  if (!leg) return;
  const step = answerLeg(leg, at);
  apply(state, step, out);
  if (!step.event) return;
  const call = state.calls.get(leg.callId);
  if (!call) return;
  call.answers.push(at);
  for (const other of [...call.legs]) {
    const sibling = state.legs.get(other);
    if (other !== key && sibling && sibling.phase !== 'answered' && (state.members.get(other)?.size ?? 0) === 0) closeLeg(state, other, at, out);
  }
}

function unansweredResult(state: TrackerState, leg: Leg): EndHint {
  if (leg.hint === 'answered_elsewhere') return leg.hint;
  const answers = state.calls.get(leg.callId)?.answers ?? [];
  if (answers.some((t) => t >= leg.openedAt)) return 'answered_elsewhere';
  return leg.hint ?? 'missed';
}

export function closeLeg(state: TrackerState, key: string, at: number, out: Out, expired = false): void {
  const leg = state.legs.get(key);
  if (!leg) return;
  const file = state.calls.get(leg.callId)?.recording?.file;
  const recordingUrl = file === undefined ? undefined : safeUrl(state, file, leg.callId);
  apply(state, endLeg(leg, at, { unanswered: unansweredResult(state, leg), recordingUrl, expired }), out);
}

function safeUrl(state: TrackerState, file: string, callId: string): string | undefined {
  try {
    const url = state.env.recordingUrl(file, callId);
    return url !== undefined && /^https?:\/\//i.test(url) && url.length <= 2048 ? url : undefined;
  } catch (cause) {
    state.env.log('asterisk tracker: recordingUrl failed, the call ends without a recording', { file, callId, cause: String(cause) });
    return undefined;
  }
}

/** After a channel left the leg: ends it, unless channels remain or it waits for its call. */
export function settleLeg(state: TrackerState, key: string, at: number, out: Out, expired = false): void {
  const leg = state.legs.get(key);
  if (!leg || (state.members.get(key)?.size ?? 0) > 0) return;
  const callAlive = (state.calls.get(leg.callId)?.channels.size ?? 0) > 0;
  if (leg.direction === 'inbound' && leg.phase !== 'answered' && callAlive) return;
  closeLeg(state, key, at, out, expired);
}

/** A call without channels is over: its open legs end, and it is forgotten. */
export function settleCall(state: TrackerState, callId: string, at: number, out: Out, expired = false): void {
  const call = state.calls.get(callId);
  if (!call || call.channels.size > 0) return;
  for (const key of [...call.legs]) closeLeg(state, key, at, out, expired);
  state.calls.delete(callId);
}
