/**
 * The call assembly's data (assembly.ts decides): its configuration, its state (the calls in
 * progress, the ids completed recently), its inputs and its effects.
 */
import type { CallEvent } from '../../../src/protocol';
import type { CompletedCall } from './types';

export interface CallAssemblyConfig {
  /** A call whose legs all ended is complete when nothing changed for this long (CallLogConfig.settleMs). */
  settleMs: number;
  /** Calls tracked at once; a new one beyond it drops the oldest, with a warning. */
  maxCalls: number;
  /** Completed ids remembered, the newest. */
  maxCompleted: number;
  /** The account's extensions, if the shell knows them: a phone naming one is an internal call. */
  knownExtensions?: ReadonlySet<string>;
}

/**
 * The bounds a shell uses unless told otherwise. The store expires every live leg (at most 4 h),
 * so every call ends; the cap is only a guard. The store ignores repeats of an ended leg for
 * `endedKeepMs` (10 min) itself, so repeats reach the assembly only after that: 10 000 ids cover
 * far more than 10 minutes of calls.
 */
export const ASSEMBLY_DEFAULTS = { maxCalls: 100_000, maxCompleted: 10_000 } as const;

export interface AssemblingCall {
  /** Each leg's latest event, by extension, in the order the legs first appeared (a Map keeps it). */
  legs: ReadonlyMap<string, CallEvent>;
  /** ms (PBX time): the earliest start the legs' first events show. */
  firstSeenAt: number;
  /** Relay time (ms) since which every leg has ended with no change; null while a leg is live. */
  settlingSince: number | null;
}

export interface AssemblyState {
  /** Calls in progress, oldest (first seen) first. */
  calls: ReadonlyMap<string, AssemblingCall>;
  /** Ids completed (or dropped) recently, oldest first. */
  completed: ReadonlySet<string>;
}

export const initialAssembly: AssemblyState = { calls: new Map(), completed: new Set() };

export type AssemblyInput =
  /** A leg's change, as the store emitted it (apply or expire). */
  | { kind: 'event'; event: CallEvent; now: number }
  /** The call's settle timer fired. */
  | { kind: 'settled'; callId: string; now: number }
  /** At startup: every leg the store still remembers, live or ended, in its order. */
  | { kind: 'restore'; legs: readonly CallEvent[]; now: number };

export type AssemblyEffect =
  /** Starts or replaces the call's settle timer; when it fires, the shell steps `settled`. */
  | { kind: 'set-timer'; callId: string; ms: number }
  | { kind: 'clear-timer'; callId: string }
  /** Log it (calllog/plan.ts turns it into outbox jobs). */
  | { kind: 'complete'; call: CompletedCall }
  | { kind: 'warn'; message: string; data?: Record<string, unknown> };

export interface AssemblyStep {
  state: AssemblyState;
  effects: AssemblyEffect[];
}
