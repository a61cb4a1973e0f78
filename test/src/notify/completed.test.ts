import { buildCompletedCall, callOutcome, ENGLISH_NOTIFY_STRINGS as EN, notifyStringsFrom } from '../../../src/notify';
import { AT_MS, CALL_BACK, callEvent, entity, failed, found, internal, notFound } from './fixtures';

const manager = { name: 'Maria Silva', extension: '101' };
const ended = (o: Parameters<typeof callEvent>[0] = {}) => callEvent({ state: 'ended', duration: 125, result: 'answered', ...o });

describe('buildCompletedCall', () => {
  test('answered inbound from a contact: text, from = caller, to = manager, duration, element', () => {
    const call = buildCompletedCall(ended({ recordingUrl: 'https://pbx.example.com/rec/c1.mp3' }), found(entity('contact', 42, 'Adam Noah')), manager, EN, 'en');
    expect(call).toEqual({
      callId: 'c1',
      text: `Incoming call from Adam Noah, 2:05${CALL_BACK('+18305803077')}`,
      date: AT_MS / 1000,
      from: 'Adam Noah',
      to: 'Maria Silva',
      duration: 125,
      link: 'https://pbx.example.com/rec/c1.mp3',
      element: { id: 42, type: 'contact' },
    });
  });

  test('outbound: from = manager, to = the outside party', () => {
    const call = buildCompletedCall(ended({ direction: 'outbound' }), found(entity('company', 6, 'Acme')), manager, EN, 'en');
    expect(call.text).toBe(`Outgoing call to Acme, 2:05${CALL_BACK('+18305803077')}`);
    expect([call.from, call.to]).toEqual(['Maria Silva', 'Acme']);
    expect(call.element).toEqual({ id: 6, type: 'company' });
  });

  test('the manager without a name is named by the extension', () => {
    const call = buildCompletedCall(ended(), notFound(), { extension: '101' }, EN, 'en');
    expect(call.to).toBe('101');
    const blank = buildCompletedCall(ended(), notFound(), { name: '  ', extension: '102' }, EN, 'en');
    expect(blank.to).toBe('102');
  });

  test('a lead: named by the contact/company holding the number, element is the lead', () => {
    const call = buildCompletedCall(ended(), found(entity('lead', 5, 'First patch'), entity('company', 6, 'Lama Company')), manager, EN, 'en');
    expect(call.from).toBe('Lama Company');
    expect(call.element).toEqual({ id: 5, type: 'lead' });
  });

  test('a customer maps to its phone_entity (element knows contact, lead and company only)', () => {
    const call = buildCompletedCall(ended(), found(entity('customer', 3970, 'Customer 2'), entity('contact', 77, 'Eve')), manager, EN, 'en');
    expect(call.element).toEqual({ id: 77, type: 'contact' });
    const orphan = buildCompletedCall(ended(), found(entity('customer', 3970, 'Customer 2')), manager, EN, 'en');
    expect(orphan.element).toBeUndefined();
  });

  test('an unknown caller, a failed lookup, no lookup: named by number, no element', () => {
    for (const [lookup, party] of [
      [notFound(), '+1 830 580 3077'],
      [failed(), '+1 830 580 3077'],
      [null, '+1 (830) 580-3077'],
    ] as const) {
      const call = buildCompletedCall(ended(), lookup, manager, EN, 'en');
      expect(call.from).toBe(party);
      expect(call.element).toBeUndefined();
      expect('element' in call).toBe(false);
    }
  });

  test('an internal call is named "extension 204", the wording of its pop-up; from/to carry the bare extension', () => {
    const call = buildCompletedCall(ended({ phone: '204' }), internal('204'), manager, EN, 'en');
    expect(call.text).toBe(`Incoming call from extension 204, 2:05${CALL_BACK('204')}`);
    expect([call.from, call.to]).toEqual(['204', 'Maria Silva']);
    expect(call.element).toBeUndefined();
    const missed = buildCompletedCall(ended({ phone: '102', result: 'missed', duration: 0 }), internal('102'), manager, EN, 'en');
    expect(missed.text).toBe(`Missed call from extension 102${CALL_BACK('102')}`);
  });

  test('missed inbound: result missed, or no result and no talk time; no duration at all (Kommo would show 0:00)', () => {
    for (const event of [ended({ result: 'missed', duration: 0 }), ended({ result: undefined, duration: undefined }), ended({ result: 'busy' })]) {
      const call = buildCompletedCall(event, notFound(), manager, EN, 'en');
      expect(call.text).toBe(`Missed call from +1 830 580 3077${CALL_BACK('+18305803077')}`);
      expect('duration' in call).toBe(false);
    }
  });

  test('nobody talked: no duration for busy, unanswered, answered-by-a-colleague or 0 s calls either', () => {
    for (const event of [
      ended({ direction: 'outbound', result: 'busy', duration: 0 }),
      ended({ direction: 'outbound', result: 'failed', duration: 0 }),
      ended({ result: 'answered_elsewhere', duration: 40 }),
      ended({ result: 'answered', duration: 0 }),
    ]) {
      expect('duration' in buildCompletedCall(event, notFound(), manager, EN, 'en')).toBe(false);
    }
  });

  test('a number that names no country: Call back is not offered (the dialer would ask for the country code)', () => {
    const digits = { raw: '84951234567', e164: '+84951234567', international: '84951234567', digits: '84951234567', hasCountry: false };
    const call = buildCompletedCall(ended({ phone: '84951234567', result: 'missed', duration: 0 }), notFound(digits), manager, EN, 'en');
    expect(call.text).toBe('Missed call from 84951234567');
    expect(call.from).toBe('84951234567');
  });

  test('outbound not answered: busy, or no answer', () => {
    expect(buildCompletedCall(ended({ direction: 'outbound', result: 'busy', duration: 0 }), notFound(), manager, EN, 'en').text).toBe(
      `Outgoing call to +1 830 580 3077, line busy${CALL_BACK('+18305803077')}`,
    );
    for (const result of ['missed', 'failed', undefined] as const) {
      const call = buildCompletedCall(ended({ direction: 'outbound', result, duration: 0 }), notFound(), manager, EN, 'en');
      expect(call.text).toBe(`Outgoing call to +1 830 580 3077, no answer${CALL_BACK('+18305803077')}`);
    }
  });

  test('Call back dials the normalised number, the PBX digits when the lookup never answered, nothing for a hidden or invalid number', () => {
    expect(buildCompletedCall(ended({ phone: '+1 (830) 580-3077' }), null, manager, EN, 'en').text).toBe(`Incoming call from +1 (830) 580-3077, 2:05${CALL_BACK('+1 (830) 580-3077')}`);
    expect(buildCompletedCall(ended({ phone: '' }), { kind: 'invalid', raw: '' }, manager, EN, 'en').text).toBe('Incoming call from hidden number, 2:05');
    expect(buildCompletedCall(ended({ phone: 'anonymous' }), { kind: 'invalid', raw: 'anonymous' }, manager, EN, 'en').text).toBe('Incoming call from anonymous, 2:05');
    expect(buildCompletedCall(ended({ phone: 'anonymous' }), null, manager, EN, 'en').text).toBe('Incoming call from anonymous, 2:05');
    const ru = notifyStringsFrom({ call_back: 'Перезвонить' });
    expect(buildCompletedCall(ended(), notFound(), manager, ru, 'ru').text).toContain('>Перезвонить</a>');
  });

  test('a recording link only when it is http(s)', () => {
    expect(buildCompletedCall(ended({ recordingUrl: 'javascript:alert(1)' }), notFound(), manager, EN, 'en').link).toBeUndefined();
    expect('link' in buildCompletedCall(ended(), notFound(), manager, EN, 'en')).toBe(false);
  });

  test('durations past an hour, in the locale; texts from the i18n section', () => {
    const ru = notifyStringsFrom({ done_incoming: 'Входящий звонок от {{party}}, {{duration}}' });
    const call = buildCompletedCall(ended({ duration: 3725 }), found(entity('contact', 1, 'Иван')), manager, ru, 'ru');
    expect(call.text).toBe(`Входящий звонок от Иван, 1:02:05${CALL_BACK('+18305803077')}`);
    expect(call.duration).toBe(3725);
  });
});

describe('callOutcome', () => {
  test.each([
    ['inbound', 'answered', 10, 'answered'],
    ['inbound', undefined, 10, 'answered'],
    ['inbound', undefined, 0, 'missed'],
    ['inbound', 'failed', 0, 'missed'],
    ['outbound', 'answered', 3, 'answered'],
    ['outbound', 'busy', 0, 'busy'],
    ['outbound', 'failed', 0, 'no_answer'],
    ['outbound', undefined, undefined, 'no_answer'],
  ] as const)('%s %s %p -> %s', (direction, result, duration, expected) => {
    expect(callOutcome(callEvent({ state: 'ended', direction, result, duration }))).toBe(expected);
  });
});
