import fc from 'fast-check';
import { parseCallEvent, toWireEvent } from '../../../src/protocol';
import { parsePollBody, parseServerFrame } from '../../../src/protocol/frames';

const RECEIVED = 1_700_000_000_000;
const base = { call_id: 'c1', state: 'ringing', direction: 'inbound', phone: '+14155550100', extension: '101' };

describe('parseCallEvent (protocol: "A call event")', () => {
  test('a minimal event becomes a CallEvent; missing `at` is the receipt time', () => {
    expect(parseCallEvent(base, RECEIVED)).toEqual({
      ok: true,
      event: { callId: 'c1', state: 'ringing', direction: 'inbound', phone: '+14155550100', extension: '101', at: RECEIVED },
    });
  });

  test('`at` in seconds becomes ms; unknown fields are ignored', () => {
    const parsed = parseCallEvent({ ...base, at: 1700000001.5, vendor_field: { x: 1 } }, RECEIVED);
    expect(parsed.ok && parsed.event.at).toBe(1_700_000_001_500);
    expect(parsed.ok && 'vendor_field' in parsed.event).toBe(false);
  });

  test('ended: duration, recording and result; result defaults from duration', () => {
    const answered = parseCallEvent({ ...base, state: 'ended', duration: 42, recording_url: 'https://pbx.example/r/1.mp3' }, RECEIVED);
    expect(answered).toMatchObject({ ok: true, event: { duration: 42, recordingUrl: 'https://pbx.example/r/1.mp3', result: 'answered' } });
    expect(parseCallEvent({ ...base, state: 'ended', duration: 0 }, RECEIVED)).toMatchObject({ ok: true, event: { result: 'missed' } });
    expect(parseCallEvent({ ...base, state: 'ended' }, RECEIVED)).toMatchObject({ ok: true, event: { result: 'missed' } });
    expect(parseCallEvent({ ...base, state: 'ended', duration: 5, result: 'busy' }, RECEIVED)).toMatchObject({ ok: true, event: { result: 'busy' } });
  });

  test('ended-only fields on other states are ignored, null counts as absent', () => {
    const parsed = parseCallEvent({ ...base, duration: 3, recording_url: null, result: 'busy', at: null }, RECEIVED);
    expect(parsed).toEqual({ ok: true, event: expect.not.objectContaining({ duration: 3 }) });
    expect(parsed.ok && parsed.event.result).toBeUndefined();
    expect(parsed.ok && parsed.event.at).toBe(RECEIVED);
  });

  test.each([
    ['not an object', 'x', 'not_an_object'],
    ['an array', [base], 'not_an_object'],
    ['no call_id', { ...base, call_id: undefined }, 'call_id'],
    ['empty call_id', { ...base, call_id: '' }, 'call_id'],
    ['call_id over 128', { ...base, call_id: 'x'.repeat(129) }, 'call_id'],
    ['numeric call_id', { ...base, call_id: 7 }, 'call_id'],
    ['unknown state', { ...base, state: 'held' }, 'state'],
    ['unknown direction', { ...base, direction: 'internal' }, 'direction'],
    ['numeric phone', { ...base, phone: 4155550100 }, 'phone'],
    ['numeric extension', { ...base, extension: 101 }, 'extension'],
    ['blank extension', { ...base, extension: ' ' }, 'extension'],
    ['string at', { ...base, at: '1700000000' }, 'at'],
    ['negative duration', { ...base, state: 'ended', duration: -1 }, 'duration'],
    ['NaN-like duration', { ...base, state: 'ended', duration: '5' }, 'duration'],
    ['javascript: recording', { ...base, state: 'ended', recording_url: 'javascript:alert(1)' }, 'recording_url'],
    ['relative recording', { ...base, state: 'ended', recording_url: '/r/1.mp3' }, 'recording_url'],
    ['unknown result', { ...base, state: 'ended', result: 'voicemail' }, 'result'],
  ])('drops %s with reason %s', (_name, raw, reason) => {
    expect(parseCallEvent(raw, RECEIVED)).toEqual({ ok: false, reason });
  });

  test('never throws and always answers ok or a reason, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const parsed = parseCallEvent(raw, RECEIVED);
        return parsed.ok ? typeof parsed.event.callId === 'string' : typeof parsed.reason === 'string';
      }),
    );
  });

  test('toWireEvent round-trips through the parser', () => {
    const parsed = parseCallEvent({ ...base, state: 'ended', at: 1700000000, duration: 9, recording_url: 'http://x.test/a', result: 'answered' }, RECEIVED);
    if (!parsed.ok) throw new Error('fixture must be valid');
    expect(parseCallEvent(toWireEvent(parsed.event), 0)).toEqual(parsed);
  });
});

describe('frames', () => {
  test('snapshot keeps the valid events and reports the invalid ones by field', () => {
    const frame = parseServerFrame(JSON.stringify({ type: 'snapshot', calls: [base, { ...base, state: 'nope' }] }), RECEIVED);
    expect(frame).toMatchObject({ type: 'snapshot', events: [{ callId: 'c1' }], dropped: [{ kind: 'event:state' }] });
  });

  test.each([
    ['not JSON', '{oops', 'frame:not_json'],
    ['a JSON array', '[1,2]', 'frame:not_an_object'],
    ['a snapshot without a list', '{"type":"snapshot","calls":{}}', 'frame:snapshot_calls'],
    ['a 1 MB frame', JSON.stringify({ type: 'call', call: { ...base, phone: 'x'.repeat(1024 * 1024) } }), 'frame:too_large'],
  ])('%s is dropped', (_name, data, kind) => {
    expect(parseServerFrame(data, RECEIVED)).toMatchObject({ type: 'ignored', dropped: [{ kind }] });
  });

  test('unknown frame types are ignored quietly', () => {
    expect(parseServerFrame('{"type":"hello","v":2}', RECEIVED)).toEqual({ type: 'ignored', dropped: [] });
  });

  test('poll bodies: a list of calls, an unauthorized answer, or an error kind', () => {
    expect(parsePollBody(JSON.stringify({ calls: [base] }), RECEIVED)).toMatchObject({ ok: true, events: [{ callId: 'c1' }] });
    expect(parsePollBody('{"error":"unauthorized"}', RECEIVED)).toEqual({ ok: false, refused: 'unauthorized', kind: 'poll:unauthorized' });
    expect(parsePollBody('{"error":"ticket_expired"}', RECEIVED)).toEqual({ ok: false, refused: 'unauthorized', kind: 'poll:ticket_expired' });
    expect(parsePollBody('{"error":"forbidden_extension","extensions":["102"]}', RECEIVED)).toEqual({ ok: false, refused: 'forbidden', kind: 'poll:forbidden_extension' });
    expect(parsePollBody('{"calls":3}', RECEIVED)).toEqual({ ok: false, kind: 'poll:calls_not_a_list' });
    expect(parsePollBody('<html>', RECEIVED)).toEqual({ ok: false, kind: 'poll:not_json' });
  });
});
