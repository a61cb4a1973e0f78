/**
 * Bounded, insertion-ordered lists of call ids: the popped/notified ids a leader hands to its
 * successor. Old ids fall off the front; a call is long over by the time 200 newer ones came.
 * Plain arrays, never mutated: the state machines keep them in their state.
 */
import type { Handover } from './types';

export const HANDOVER_LIMIT = 200;

export type CallIds = readonly string[];

/** The list with `id` added (the same list when it was there already). */
export function addCallId(ids: CallIds, id: string, limit = HANDOVER_LIMIT): CallIds {
  if (ids.includes(id)) return ids;
  const next = [...ids, id];
  return next.length > limit ? next.slice(next.length - limit) : next;
}

export function addCallIds(ids: CallIds, more: readonly string[], limit = HANDOVER_LIMIT): CallIds {
  return more.reduce((list, id) => addCallId(list, id, limit), ids);
}

export const noHandover: Handover = { popped: [], notified: [] };
