/** Click-to-call's public surface (docs/originate.md): the dialer (leader.js) and the double-click gate (script.js). */
export { createDialer } from './dialer';
export type { CreateDialer, Dialer, DialerDeps, OriginateBody, OriginatePost } from './dialer';
export { DOUBLE_CLICK_MS, initialGate, stepGate } from './gate';
export type { GateDecision, GateState } from './gate';
export { readOriginateAnswer } from './outcome';
export type { DialOutcome, RelayAnswer } from './outcome';
export { dialStringsFrom, ENGLISH_DIAL_STRINGS } from './strings';
export type { DialStrings } from './strings';
export type { DialMessage } from './message';
