/**
 * The double-click rule, as data: a second click on the same number within 2 s, or while its
 * request is still out, dials nothing; a click on another number while one request is out is
 * told to wait. (The relay's own limit, one call per user per few seconds, stands behind it.)
 */
export const DOUBLE_CLICK_MS = 2_000;

export interface GateState {
  /** The number whose request is out. */
  inFlight: string | null;
  last: { number: string; at: number } | null;
}

export type GateInput = { kind: 'click'; number: string; now: number } | { kind: 'done' };

export type GateDecision = 'dial' | 'ignore' | 'still-starting' | null;

export const initialGate: GateState = { inFlight: null, last: null };

/** `number` is the raw value clicked or typed, trimmed: the same card field gives the same text. */
export function stepGate(state: GateState, input: GateInput): { state: GateState; decision: GateDecision } {
  if (input.kind === 'done') return { state: { ...state, inFlight: null }, decision: null };
  const { number, now } = input;
  const repeat = state.last !== null && state.last.number === number && now - state.last.at < DOUBLE_CLICK_MS;
  if (state.inFlight === number || repeat) return { state, decision: 'ignore' };
  if (state.inFlight !== null) return { state, decision: 'still-starting' };
  return { state: { inFlight: number, last: { number, at: now } }, decision: 'dial' };
}
