/**
 * add_call once across leaders: every tab keeps the ids whose `add_call` is done, learnt from
 * the leader's marks (at once, so a crash loses nothing), from handovers, and from the lead
 * handle when a term ends. Whichever tab leads next skips them.
 */
import { addCallId, addCallIds, type CallIds } from './handover';

export interface NotifiedState {
  readonly ids: CallIds;
}

export type NotifiedInput =
  /** The leader is about to post `add_call`. */
  | { type: 'mark'; callId: string }
  /** Ids learnt from another tab (mark, snapshot, bye) or from the ending lead handle. */
  | { type: 'learn'; ids: readonly string[] };

export type NotifiedEffect = { kind: 'post-mark'; callId: string };

export const initialNotified: NotifiedState = { ids: [] };

export function stepNotified(state: NotifiedState, input: NotifiedInput): { state: NotifiedState; effects: NotifiedEffect[] } {
  if (input.type === 'learn') return { state: { ids: addCallIds(state.ids, input.ids) }, effects: [] };
  const ids = addCallId(state.ids, input.callId);
  if (ids === state.ids) return { state, effects: [] };
  return { state: { ids }, effects: [{ kind: 'post-mark', callId: input.callId }] };
}
