/**
 * When a call is complete (issue 16), as data: the legs the relay's store emitted, grouped by
 * `call_id`; a call is complete when every leg has ended and no leg appeared or changed for the
 * settle delay (a transfer's next leg often rings just after the first one ended). Each call is
 * completed once: then it leaves the state, and its id is remembered (the newest
 * `maxCompleted`), so a late emission for it completes nothing twice. That memory is the first
 * line of defence; the outbox's idempotency keys are the second, and the only one across a
 * restart (a restore brings back ended legs of calls completed before it).
 *
 * Pure and clock-free: the shell owns the settle timers (one per call id; `set-timer` replaces
 * it) and the clock, and passes `now` (the relay's clock, as the store's `apply`/`expire` got
 * it). The input state is never changed: a step copies what it changes, O(calls tracked), which
 * at a PBX's few hundred calls at once costs nothing.
 */
import { isRecord, stateRank } from '../../../src/protocol';
import type { CallEvent } from '../../../src/protocol';
import type { AssemblingCall, AssemblyEffect, AssemblyInput, AssemblyState, AssemblyStep, CallAssemblyConfig } from './assembly-types';
import { completedCall } from './completed-call';

export { ASSEMBLY_DEFAULTS, initialAssembly } from './assembly-types';
export type { AssemblingCall, AssemblyEffect, AssemblyInput, AssemblyState, AssemblyStep, CallAssemblyConfig } from './assembly-types';

/** One step's working state: copies of the input's collections, made at their first change. */
interface Draft {
  readonly from: AssemblyState;
  calls: Map<string, AssemblingCall> | null;
  completed: Set<string> | null;
  readonly effects: AssemblyEffect[];
  readonly config: CallAssemblyConfig;
}

export function stepAssembly(state: AssemblyState, input: AssemblyInput, config: CallAssemblyConfig): AssemblyStep {
  const d: Draft = { from: state, calls: null, completed: null, effects: [], config };
  switch (input?.kind) {
    case 'event':
      if (merge(d, input.event)) afterChange(d, input.event.callId, input.now);
      break;
    case 'settled':
      onSettled(d, input.callId, input.now);
      break;
    case 'restore':
      onRestore(d, input.legs, input.now);
      break;
    default:
      d.effects.push({ kind: 'warn', message: 'call log: unknown assembly input, ignored', data: { kind: (input as { kind?: unknown })?.kind } });
  }
  const next = d.calls === null && d.completed === null ? state : { calls: d.calls ?? state.calls, completed: d.completed ?? state.completed };
  return { state: next, effects: d.effects };
}

/** Takes the event into its call; true when the call changed (a new leg, or a leg moved forward). */
function merge(d: Draft, event: CallEvent): boolean {
  if (!isLeg(event)) {
    d.effects.push({ kind: 'warn', message: 'call log: not a call event, dropped', data: { event } });
    return false;
  }
  if (completedIds(d).has(event.callId)) {
    // An ended repeat is harmless; a live leg means the settle delay was too short for this PBX.
    if (event.state !== 'ended') {
      d.effects.push({ kind: 'warn', message: 'call log: a leg after its call was logged, not logged again', data: { callId: event.callId, extension: event.extension } });
    }
    return false;
  }
  const call = calls(d).get(event.callId);
  if (call === undefined) {
    track(d, event);
    return true;
  }
  const known = call.legs.get(event.extension);
  // States only move forward per leg (as in the store): a repeat or a late state changes nothing.
  if (known !== undefined && stateRank(event.state) <= stateRank(known.state)) return false;
  const legs = new Map(call.legs).set(event.extension, event);
  const firstSeenAt = known === undefined ? Math.min(call.firstSeenAt, startOf(event)) : call.firstSeenAt;
  writeCalls(d).set(event.callId, { ...call, legs, firstSeenAt });
  return true;
}

function track(d: Draft, event: CallEvent): void {
  const all = writeCalls(d);
  all.set(event.callId, { legs: new Map([[event.extension, event]]), firstSeenAt: startOf(event), settlingSince: null });
  // The new call is the newest: it is never the one dropped (a cap below 1 counts as 1).
  for (const [callId, oldest] of all) {
    if (all.size <= Math.max(1, d.config.maxCalls)) break;
    drop(d, callId, oldest);
  }
}

/** Over the cap: a call whose legs all ended is completed early; one still live is dropped for good (no partial log later). */
function drop(d: Draft, callId: string, call: AssemblingCall): void {
  const ended = allEnded(call);
  d.effects.push({
    kind: 'warn',
    message: ended ? 'call log: too many calls in progress, oldest completed early' : 'call log: too many calls in progress, oldest dropped unlogged',
    data: { callId, legs: call.legs.size, maxCalls: d.config.maxCalls },
  });
  if (call.settlingSince !== null) d.effects.push({ kind: 'clear-timer', callId });
  if (ended) complete(d, callId, call);
  else forget(d, callId);
}

/** After a change: every leg ended starts (or restarts) the settle delay; a live leg cancels it. */
function afterChange(d: Draft, callId: string, now: number): void {
  const call = calls(d).get(callId);
  if (call === undefined) return;
  if (allEnded(call)) {
    writeCalls(d).set(callId, { ...call, settlingSince: now });
    d.effects.push({ kind: 'set-timer', callId, ms: d.config.settleMs });
  } else if (call.settlingSince !== null) {
    writeCalls(d).set(callId, { ...call, settlingSince: null });
    d.effects.push({ kind: 'clear-timer', callId });
  }
}

function onSettled(d: Draft, callId: string, now: number): void {
  const call = calls(d).get(callId);
  // A timer the shell should have cleared or replaced: nothing to do.
  if (call?.settlingSince == null) return;
  const elapsed = now - call.settlingSince;
  if (elapsed < 0) {
    // The clock went back: start the delay again rather than wait for the old time to come round.
    writeCalls(d).set(callId, { ...call, settlingSince: now });
    d.effects.push({ kind: 'set-timer', callId, ms: d.config.settleMs });
  } else if (elapsed < d.config.settleMs) {
    d.effects.push({ kind: 'set-timer', callId, ms: d.config.settleMs - elapsed });
  } else {
    complete(d, callId, call);
  }
}

function onRestore(d: Draft, legs: readonly CallEvent[], now: number): void {
  if (!Array.isArray(legs)) {
    d.effects.push({ kind: 'warn', message: 'call log: restore without a list of legs, ignored' });
    return;
  }
  const changed = new Set<string>();
  for (const leg of legs) if (merge(d, leg)) changed.add(leg.callId);
  // A call that ended while the relay was down settles from now; one still live waits for its end.
  for (const callId of changed) afterChange(d, callId, now);
}

function complete(d: Draft, callId: string, call: AssemblingCall): void {
  d.effects.push({ kind: 'complete', call: completedCall([...call.legs.values()], call.firstSeenAt, d.config.knownExtensions) });
  forget(d, callId);
}

/** Out of the state, and remembered as over (the newest `maxCompleted`). */
function forget(d: Draft, callId: string): void {
  writeCalls(d).delete(callId);
  const ids = (d.completed ??= new Set(d.from.completed));
  ids.add(callId);
  for (const id of ids) {
    if (ids.size <= d.config.maxCompleted) break;
    ids.delete(id);
  }
}

function calls(d: Draft): ReadonlyMap<string, AssemblingCall> {
  return d.calls ?? d.from.calls;
}

function writeCalls(d: Draft): Map<string, AssemblingCall> {
  return (d.calls ??= new Map(d.from.calls));
}

function completedIds(d: Draft): ReadonlySet<string> {
  return d.completed ?? d.from.completed;
}

function allEnded(call: AssemblingCall): boolean {
  for (const leg of call.legs.values()) if (leg.state !== 'ended') return false;
  return true;
}

/**
 * When a leg's first event shows it began: its `at`, or for a leg first seen ended (a restore,
 * a PBX that sends only ends) the end less its talk time.
 */
function startOf(event: CallEvent): number {
  return event.state === 'ended' ? event.at - (event.duration ?? 0) * 1000 : event.at;
}

/** The store only emits valid events; this guards the shell's wiring, not the PBX. */
function isLeg(event: unknown): event is CallEvent {
  if (!isRecord(event)) return false;
  const { callId, extension, state, at } = event;
  return typeof callId === 'string' && callId !== '' && typeof extension === 'string' && stateRank(state as CallEvent['state']) >= 0 && typeof at === 'number' && Number.isFinite(at);
}
