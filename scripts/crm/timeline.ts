/**
 * A card's timeline (Kommo's "feed"): what the v4 API put on a lead, contact, company or
 * customer, in order. The sandbox shows it (GET /sandbox/timeline); tests read it through
 * `crm.timeline(type, id)`. Times are Unix seconds.
 */

/** Kommo's v4 entity types (the path segment: /api/v4/leads/{id}). */
export type CardType = 'leads' | 'contacts' | 'companies' | 'customers';
export const CARD_TYPES: readonly CardType[] = ['leads', 'contacts', 'companies', 'customers'];

/** A call filed by POST /api/v4/calls. */
export interface CallNote {
  kind: 'call';
  call_id: number;
  direction: 'inbound' | 'outbound';
  duration: number;
  phone: string;
  source: string;
  uniq: string | null;
  link: string | null;
  call_status: number | null;
  call_result: string | null;
  responsible_user_id: number | null;
  created_by: number | null;
  created_at: number;
}

/** A task set by POST /api/v4/tasks. */
export interface TaskNote {
  kind: 'task';
  task_id: number;
  text: string;
  task_type_id: number;
  responsible_user_id: number;
  complete_till: number;
  created_at: number;
}

/** A task completed by PATCH /api/v4/tasks. */
export interface TaskCompletedNote {
  kind: 'task_completed';
  task_id: number;
  result_text: string | null;
  created_at: number;
}

export type TimelineNote = CallNote | TaskNote | TaskCompletedNote;

export function timelineKey(type: CardType, id: number): string {
  return `${type}:${id}`;
}

export function parseTimelineKey(key: string): { type: CardType; id: number } | null {
  const match = /^(leads|contacts|companies|customers):(\d+)$/.exec(key);
  return match ? { type: match[1] as CardType, id: Number(match[2]) } : null;
}
