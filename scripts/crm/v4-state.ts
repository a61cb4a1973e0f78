/**
 * What the fixture CRM's v4 API keeps: the accepted calls, tasks and incoming leads
 * ("unsorted"), and every card's timeline. The v4 modules are pure: they read this and return
 * a V4Outcome (the answer + V4Effects); `applyEffects` is the one place the state changes.
 * Ids are the id base plus how many exist, so they are unique until `clearV4State`.
 */
import type { CrmAccount, CrmPerson } from './account';
import type { V4Answer } from './v4-answer';
import type { CardType, TimelineNote } from './timeline';

export const V4_ID_BASE = { call: 7_000_001, task: 9_000_001, contact: 5_800_001, unsortedLead: 5_200_001, unsortedContact: 5_900_001 } as const;

/** A call accepted by POST /api/v4/calls, with the card it was filed on. */
export interface CrmCall {
  id: number;
  entity_id: number;
  entity_type: CardType;
  request_id: string;
  direction: 'inbound' | 'outbound';
  duration: number;
  source: string;
  phone: string;
  uniq: string | null;
  link: string | null;
  call_status: number | null;
  call_result: string | null;
  responsible_user_id: number | null;
  created_by: number | null;
  created_at: number;
}

export interface CrmTask {
  id: number;
  text: string;
  /** Null for a task on no card (Kommo allows it). */
  entity_id: number | null;
  entity_type: CardType | null;
  task_type_id: number;
  responsible_user_id: number;
  complete_till: number;
  is_completed: boolean;
  result_text: string | null;
  created_at: number;
  updated_at: number;
}

/** An incoming lead from POST /api/v4/leads/unsorted/sip. Its lead and contact are not cards
 *  of the account until accepted (as in Kommo's "Incoming leads"): calls from the number stay unmatched. */
export interface CrmUnsorted {
  uid: string;
  source_uid: string;
  source_name: string;
  created_at: number;
  lead_id: number;
  contacts: Array<{ id: number; name: string; phones: string[] }>;
  metadata: {
    uniq: string;
    phone: string;
    duration: number;
    service_code: string;
    called_at: number;
    from: string;
    link: string | null;
    is_call_event_needed: boolean;
  };
}

export interface V4State {
  readonly calls: CrmCall[];
  readonly tasks: CrmTask[];
  readonly unsorted: CrmUnsorted[];
  readonly timeline: Map<string, TimelineNote[]>;
  /** Contacts POST /api/v4/contacts added to the account (removed again by clearV4State). */
  readonly addedContactIds: number[];
}

export interface V4Effects {
  calls?: CrmCall[];
  /** New tasks, or updated ones (same id): replaced in place. */
  tasks?: CrmTask[];
  contacts?: CrmPerson[];
  unsorted?: CrmUnsorted[];
  notes?: Array<{ key: string; note: TimelineNote }>;
}

export interface V4Outcome {
  answer: V4Answer;
  effects?: V4Effects;
}

export function createV4State(): V4State {
  return { calls: [], tasks: [], unsorted: [], timeline: new Map(), addedContactIds: [] };
}

export function applyEffects(state: V4State, account: CrmAccount, effects: V4Effects): void {
  state.calls.push(...(effects.calls ?? []));
  for (const task of effects.tasks ?? []) {
    const at = state.tasks.findIndex((t) => t.id === task.id);
    if (at >= 0) state.tasks[at] = task;
    else state.tasks.push(task);
  }
  for (const contact of effects.contacts ?? []) {
    account.contacts.push(contact);
    state.addedContactIds.push(contact.id);
  }
  state.unsorted.push(...(effects.unsorted ?? []));
  for (const { key, note } of effects.notes ?? []) {
    const notes = state.timeline.get(key);
    if (notes) notes.push(note);
    else state.timeline.set(key, [note]);
  }
}

/** Back to a fresh CRM: the account loses the contacts the API added. */
export function clearV4State(state: V4State, account: CrmAccount): void {
  state.calls.length = 0;
  state.tasks.length = 0;
  state.unsorted.length = 0;
  state.timeline.clear();
  const added = new Set(state.addedContactIds);
  state.addedContactIds.length = 0;
  for (let i = account.contacts.length - 1; i >= 0; i -= 1) {
    if (added.has((account.contacts[i] as CrmPerson).id)) account.contacts.splice(i, 1);
  }
}
