/**
 * What the relay sends Kommo for a completed call (issue 16), as pure functions of the call and
 * the config: the call (POST /api/v4/calls), an incoming lead for an unknown caller
 * (POST /api/v4/leads/unsorted/sip) and a call-back task (POST /api/v4/tasks). Field names and
 * codes are Kommo's (../shared/spec/kommo-platform.md, "The API from a server").
 */
import type { KommoCallBody, KommoTaskBody, KommoUnsortedSipBody } from '../kommo/types';
import type { CallLogConfig, CallOutcome, CompletedCall, KommoEntity } from './types';

/** Kommo's `service_code` for the relay's incoming leads: names who made them. */
export const SERVICE_CODE = 'kommo-telephony-relay';

/** Kommo's `call_status`: 3 not available, 4 talked, 6 no answer, 7 busy. */
const CALL_STATUS: Record<CallOutcome, number> = { talked: 4, no_answer: 6, busy: 7, failed: 3 };

/** Kommo's task type "call". */
const TASK_TYPE_CALL = 1;

/** ms since the epoch to Kommo's unix seconds. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** The number as Kommo matches it: its digits, the last 10 (country code and prefix left out). */
export function phoneKey(phone: string): string {
  return phone.replace(/\D/g, '').slice(-10);
}

/** The mark a call-back task's text carries: a task made by a try whose answer was lost is found by it. */
export function taskMark(uniq: string): string {
  return `(call ${uniq})`;
}

function callResult(call: CompletedCall): string {
  switch (call.outcome) {
    case 'talked':
      return 'Talked';
    case 'no_answer':
      return call.direction === 'inbound' ? 'Missed call' : 'No answer';
    case 'busy':
      return 'Busy';
    case 'failed':
      return 'Call failed';
  }
}

/** One call for POST /api/v4/calls; `userId`: the Kommo user of the call's extension, when known. */
export function callBody(call: CompletedCall, userId: number | null, config: CallLogConfig): KommoCallBody {
  const body: KommoCallBody = {
    direction: call.direction,
    duration: call.duration,
    source: config.source,
    phone: call.phone,
    uniq: call.uniq,
    call_status: CALL_STATUS[call.outcome],
    call_result: callResult(call),
    // When the call began: the note sits on the timeline where the widget's add_call put the ring.
    created_at: unixSeconds(call.startedAt),
    // uniq again: Kommo answers per request_id, so an 'unknown number' error names this call.
    request_id: call.uniq,
  };
  if (call.recordingUrl !== undefined) body.link = call.recordingUrl;
  if (userId !== null) {
    body.responsible_user_id = userId;
    // Without created_by Kommo's statistics count the call as a robot's.
    body.created_by = userId;
  }
  return body;
}

/** An incoming lead ("unsorted") for a caller Kommo does not know, the call in its metadata. */
export function unsortedBody(call: CompletedCall, config: CallLogConfig): KommoUnsortedSipBody {
  const at = unixSeconds(call.startedAt);
  const metadata: KommoUnsortedSipBody['metadata'] = {
    is_call_event_needed: true,
    uniq: call.uniq,
    duration: call.duration,
    service_code: SERVICE_CODE,
    phone: call.phone,
    called_at: at,
    from: call.extension,
  };
  if (call.recordingUrl !== undefined) metadata.link = call.recordingUrl;
  return {
    // uniq as the source's id: Kommo refuses a second lead of one uniq, so a retry is harmless.
    source_uid: call.uniq,
    source_name: config.source,
    created_at: at,
    _embedded: { contacts: [{ name: call.phone, custom_fields_values: [{ field_code: 'PHONE', values: [{ value: call.phone }] }] }] },
    metadata,
  };
}

/** When a missed call's call-back task is due (ms): its end plus the configured delay. */
export function taskDueAt(call: CompletedCall, config: CallLogConfig): number {
  return call.endedAt + (config.callBackTask?.delayMs ?? 0);
}

/** HH:MM in UTC: the relay knows no account time zone, so it says which one it uses. */
function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/** A call-back task for a missed call, on the card, for its responsible user. */
export function taskBody(call: CompletedCall, entity: KommoEntity, responsibleUserId: number, config: CallLogConfig): KommoTaskBody {
  return {
    text: `Call back ${call.phone}: missed call at ${clockTime(call.startedAt)} ${taskMark(call.uniq)}`,
    complete_till: unixSeconds(taskDueAt(call, config)),
    entity_id: entity.id,
    entity_type: entity.type,
    task_type_id: TASK_TYPE_CALL,
    responsible_user_id: responsibleUserId,
  };
}
