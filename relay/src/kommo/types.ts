/**
 * The relay's Kommo API client, as the call log sees it (issue 16): a private integration's
 * long-lived token, server side only (../shared/spec/kommo-platform.md, "The API from a server").
 * Every method is one or two requests through the client's limiter; failures are KommoApiError
 * (errors.ts), classified where they happen.
 */
import type { KommoEntity } from '../calllog/types';

/** One call of POST /api/v4/calls (Kommo's field names). */
export interface KommoCallBody {
  direction: 'inbound' | 'outbound';
  duration: number;
  source: string;
  phone: string;
  uniq: string;
  link?: string;
  /** 3 not available, 4 talked, 6 no answer, 7 busy. */
  call_status: number;
  call_result?: string;
  responsible_user_id?: number;
  created_by?: number;
  /** Unix seconds. */
  created_at: number;
  request_id: string;
}

/** What POST /api/v4/calls did with one call. */
export type CallFiled =
  | { filed: 'on-card'; entity: KommoEntity }
  /** Kommo knows no card with this number: the call was not added. */
  | { filed: 'unknown-number' }
  /** Kommo already has a call with this uniq (a retry of a write that did land). */
  | { filed: 'duplicate' };

/** POST /api/v4/leads/unsorted/sip (one incoming lead). */
export interface KommoUnsortedSipBody {
  source_uid: string;
  source_name: string;
  created_at: number;
  _embedded: { contacts: Array<{ name: string; custom_fields_values: Array<{ field_code: 'PHONE'; values: Array<{ value: string }> }> }> };
  metadata: {
    is_call_event_needed: boolean;
    uniq: string;
    duration: number;
    service_code: string;
    link?: string;
    phone: string;
    called_at: number;
    from: string;
  };
}

/** POST /api/v4/tasks (one task). */
export interface KommoTaskBody {
  text: string;
  /** Unix seconds. */
  complete_till: number;
  entity_id: number;
  entity_type: KommoEntity['type'];
  /** 1 = call. */
  task_type_id: number;
  responsible_user_id: number;
}

export interface KommoOpenTask {
  id: number;
  text: string;
  entity: KommoEntity;
  completeTill: number;
}

export interface KommoApi {
  /** POST /api/v4/calls with one call. */
  logCall(call: KommoCallBody): Promise<CallFiled>;
  /** POST /api/v4/leads/unsorted/sip; 'duplicate' when Kommo already has this uniq. */
  addUnsortedSip(lead: KommoUnsortedSipBody): Promise<{ added: 'created' | 'duplicate' }>;
  /** GET /api/v4/contacts?query=<digits>: the first contact whose phone matches, or null. */
  findContact(phone: string): Promise<{ entity: KommoEntity; responsibleUserId: number } | null>;
  /** POST /api/v4/contacts with a name and a phone. */
  addContact(name: string, phone: string, responsibleUserId: number | null): Promise<KommoEntity>;
  /** GET /api/v4/{type}/{id}: the card's responsible user (null: the card is gone, 404/204). */
  responsibleOf(entity: KommoEntity): Promise<number | null>;
  /** GET /api/v4/tasks?filter[entity_type]&filter[entity_id][]&filter[is_completed]=0&filter[task_type][]=1 */
  openCallTasks(entity: KommoEntity): Promise<KommoOpenTask[]>;
  /** POST /api/v4/tasks with one task: its id. */
  addTask(task: KommoTaskBody): Promise<number>;
  /** PATCH /api/v4/tasks [{id, is_completed: true, result: {text}}]. */
  completeTasks(ids: readonly number[], resultText: string): Promise<void>;
}
