/**
 * What Kommo receives for a completed call: the call, an incoming lead, a call-back task, in
 * Kommo's field names and codes (../shared/spec/kommo-platform.md, "The API from a server").
 */
import { callBody, phoneKey, SERVICE_CODE, taskBody, unsortedBody } from '../../../relay/src/calllog/kommo-bodies';
import type { CallLogConfig, CompletedCall } from '../../../relay/src/calllog/types';

const T0 = Date.UTC(2024, 2, 1, 14, 5, 30);
const config: CallLogConfig = {
  source: 'Telephony relay',
  unknownCallers: { inbound: { talked: 'lead', no_answer: 'lead', busy: 'lead', failed: 'lead' }, outbound: { talked: 'nothing', no_answer: 'nothing', busy: 'nothing', failed: 'nothing' } },
  callBackTask: { delayMs: 30 * 60_000, closeOnAnsweredCall: true },
  settleMs: 5_000,
};
const call = (extra: Partial<CompletedCall> = {}): CompletedCall => ({
  uniq: 'call-1', direction: 'inbound', phone: '+1 830 580 3077', internal: false, outcome: 'talked', extension: '101', extensions: ['102', '101'],
  duration: 65, recordingUrl: 'https://pbx.example/rec/call-1.mp3', startedAt: T0, endedAt: T0 + 80_000, ...extra,
});

describe('callBody', () => {
  test('a talked call: every field Kommo documents, by the extension\'s user (not a robot\'s call)', () => {
    expect(callBody(call(), 11, config)).toEqual({
      direction: 'inbound', duration: 65, source: 'Telephony relay', phone: '+1 830 580 3077', uniq: 'call-1',
      link: 'https://pbx.example/rec/call-1.mp3', call_status: 4, call_result: 'Talked',
      responsible_user_id: 11, created_by: 11, created_at: Math.floor(T0 / 1000), request_id: 'call-1',
    });
  });

  test.each([
    ['talked', 'inbound', 4, 'Talked'],
    ['no_answer', 'inbound', 6, 'Missed call'],
    ['no_answer', 'outbound', 6, 'No answer'],
    ['busy', 'outbound', 7, 'Busy'],
    ['failed', 'outbound', 3, 'Call failed'],
  ] as const)('%s %s: call_status %i, "%s"', (outcome, direction, status, result) => {
    const body = callBody(call({ outcome, direction }), 11, config);
    expect(body.call_status).toBe(status);
    expect(body.call_result).toBe(result);
    expect(body.direction).toBe(direction);
  });

  test('an extension without a Kommo user: no responsible, no created_by; no recording: no link', () => {
    const body = callBody(call({ recordingUrl: undefined, outcome: 'no_answer', duration: 0 }), null, config);
    expect(body).not.toHaveProperty('responsible_user_id');
    expect(body).not.toHaveProperty('created_by');
    expect(body).not.toHaveProperty('link');
    expect(body.duration).toBe(0);
  });
});

test('unsortedBody: an incoming lead keyed by the uniq, the caller as its contact, the call in its metadata', () => {
  expect(unsortedBody(call(), config)).toEqual({
    source_uid: 'call-1', source_name: 'Telephony relay', created_at: Math.floor(T0 / 1000),
    _embedded: { contacts: [{ name: '+1 830 580 3077', custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+1 830 580 3077' }] }] }] },
    metadata: {
      is_call_event_needed: true, uniq: 'call-1', duration: 65, service_code: SERVICE_CODE, link: 'https://pbx.example/rec/call-1.mp3',
      phone: '+1 830 580 3077', called_at: Math.floor(T0 / 1000), from: '101',
    },
  });
  expect(SERVICE_CODE).toBe('kommo-telephony-relay');
  expect(unsortedBody(call({ recordingUrl: undefined }), config).metadata).not.toHaveProperty('link');
});

test('taskBody: a call task on the card, due the delay after the call ended, naming the number, the time and the uniq', () => {
  const task = taskBody(call({ outcome: 'no_answer' }), { id: 7, type: 'leads' }, 21, config);
  expect(task).toEqual({
    text: 'Call back +1 830 580 3077: missed call at 14:05 UTC (call call-1)',
    complete_till: Math.floor((T0 + 80_000 + 30 * 60_000) / 1000),
    entity_id: 7, entity_type: 'leads', task_type_id: 1, responsible_user_id: 21,
  });
});

test.each([
  ['+1 830 580 3077', '8305803077'],
  ['18305803077', '8305803077'],
  ['(830) 580-3077', '8305803077'],
  ['+44 20 7946 0958', '2079460958'],
  ['101', '101'],
  ['', ''],
  ['anonymous', ''],
])('phoneKey(%j) = %j: the last 10 digits, as Kommo matches', (phone, key) => {
  expect(phoneKey(phone)).toBe(key);
});
