/**
 * What a call was, from its legs' ends: the outcome, the extension it is logged by, its talk
 * time and recording, whether it is internal. Pure: no clock, no store.
 */
import fc from 'fast-check';
import { completedCall, isInternal } from '../../../relay/src/calllog/completed-call';
import { normalizeNumber } from '../../../src/lookup';
import { internalExtension } from '../../../src/protocol';
import { T0, leg } from './call-double';

const S = 1000;

describe('completedCall: outcome and who it is logged by', () => {
  test('a direct inbound call answered: talked, by its extension, its duration and recording, from first seen to its end', () => {
    const end = leg('ended', { result: 'answered', duration: 42, recordingUrl: 'https://pbx.example.com/r/1.mp3', at: T0 + 50 * S });
    expect(completedCall([end], T0)).toEqual({
      uniq: 'c1',
      direction: 'inbound',
      phone: '+14155550100',
      internal: false,
      outcome: 'talked',
      extension: '101',
      extensions: ['101'],
      duration: 42,
      recordingUrl: 'https://pbx.example.com/r/1.mp3',
      startedAt: T0,
      endedAt: T0 + 50 * S,
    });
  });

  test('missed: no_answer, no talk time, no recording', () => {
    const call = completedCall([leg('ended', { result: 'missed', at: T0 + 30 * S })], T0);
    expect(call).toMatchObject({ outcome: 'no_answer', extension: '101', duration: 0, endedAt: T0 + 30 * S });
    expect(call).not.toHaveProperty('recordingUrl');
  });

  test.each([
    [['busy'], 'busy'],
    [['busy', 'busy'], 'busy'],
    [['failed'], 'failed'],
    [['failed', 'failed'], 'failed'],
    [['busy', 'failed'], 'no_answer'],
    [['busy', 'missed'], 'no_answer'],
    [['answered_elsewhere', 'answered_elsewhere'], 'no_answer'],
  ] as const)('legs ending %j: %s', (results, outcome) => {
    const legs = results.map((result, i) => leg('ended', { result, extension: `10${i + 1}` }));
    expect(completedCall(legs, T0).outcome).toBe(outcome);
  });

  test('a ring group where 102 answers and 101/103 end answered_elsewhere: talked, by 102, every extension in ring order', () => {
    const legs = [
      leg('ended', { extension: '101', result: 'answered_elsewhere', at: T0 + 5 * S }),
      leg('ended', { extension: '102', result: 'answered', duration: 60, at: T0 + 65 * S }),
      leg('ended', { extension: '103', result: 'answered_elsewhere', at: T0 + 5 * S }),
    ];
    expect(completedCall(legs, T0)).toMatchObject({ outcome: 'talked', extension: '102', extensions: ['101', '102', '103'], duration: 60, endedAt: T0 + 65 * S });
  });

  test('a ring group nobody answers: no_answer, logged by the first extension that rang', () => {
    const legs = ['103', '101', '102'].map((extension) => leg('ended', { extension, result: 'missed' }));
    expect(completedCall(legs, T0)).toMatchObject({ outcome: 'no_answer', extension: '103', extensions: ['103', '101', '102'] });
  });

  test('a transfer 101 -> 102, both answered: one call, by 102, talk times summed, the last recording there is', () => {
    const first = leg('ended', { extension: '101', result: 'answered', duration: 30, recordingUrl: 'https://pbx.example.com/r/a.mp3', at: T0 + 35 * S });
    const second = leg('ended', { extension: '102', result: 'answered', duration: 50, at: T0 + 90 * S });
    const call = completedCall([first, second], T0);
    expect(call).toMatchObject({ outcome: 'talked', extension: '102', duration: 80, recordingUrl: 'https://pbx.example.com/r/a.mp3', endedAt: T0 + 90 * S });
    const both = completedCall([first, { ...second, recordingUrl: 'https://pbx.example.com/r/b.mp3' }], T0);
    expect(both.recordingUrl).toBe('https://pbx.example.com/r/b.mp3');
  });

  test('the last answered leg is the one that ended last, whatever order the legs rang in', () => {
    const legs = [
      leg('ended', { extension: '102', result: 'answered', duration: 10, at: T0 + 90 * S }),
      leg('ended', { extension: '101', result: 'answered', duration: 10, at: T0 + 20 * S }),
    ];
    expect(completedCall(legs, T0).extension).toBe('102');
    expect(completedCall(legs.reverse(), T0).extension).toBe('102');
  });

  test('two answered legs ending at the same second (a PBX with second-precision times): the later leg, the transfer target', () => {
    const legs = ['101', '102'].map((extension) => leg('ended', { extension, result: 'answered', duration: 10, at: T0 + 20 * S }));
    expect(completedCall(legs, T0).extension).toBe('102');
  });

  test('a leg the relay expired while answered still counts as talked (its duration unknown); one expired ringing is no_answer', () => {
    expect(completedCall([leg('ended', { result: 'answered', expired: true })], T0)).toMatchObject({ outcome: 'talked', duration: 0 });
    expect(completedCall([leg('ended', { result: 'missed', expired: true })], T0)).toMatchObject({ outcome: 'no_answer' });
  });

  test('outbound: talked when the number picked up, no_answer when it did not', () => {
    const out = { direction: 'outbound', phone: '+442079460958', extension: '104' } as const;
    expect(completedCall([leg('ended', { ...out, result: 'answered', duration: 12 })], T0)).toMatchObject({ direction: 'outbound', outcome: 'talked', extension: '104', duration: 12 });
    expect(completedCall([leg('ended', { ...out, result: 'missed' })], T0)).toMatchObject({ direction: 'outbound', outcome: 'no_answer', extension: '104' });
  });

  test('an ended leg without a result (not from the parser) gets the protocol default: answered when it has talk time', () => {
    const bare = { ...leg('ended'), result: undefined };
    expect(completedCall([{ ...bare, duration: 5 }], T0).outcome).toBe('talked');
    expect(completedCall([bare], T0).outcome).toBe('no_answer');
  });

  test('a call needs a leg', () => {
    expect(() => completedCall([], T0)).toThrow(RangeError);
  });
});

describe('completedCall: internal calls and the phone', () => {
  test.each([
    ['102', true],
    [' 1-0-3 ', true],
    ['1', true],
    ['+101', false],
    ['10001', false],
    ['+14155550100', false],
    ['', false],
  ])('phone %j: internal %s', (phone, internal) => {
    expect(completedCall([leg('ended', { phone })], T0).internal).toBe(internal);
  });

  test('a phone naming one of the call\'s extensions, or one the account knows, is internal whatever its length', () => {
    const legs = [leg('ended', { phone: '20002', extension: '10001' }), leg('ended', { phone: '20002', extension: '20002' })];
    expect(completedCall(legs, T0).internal).toBe(true);
    expect(completedCall([leg('ended', { phone: '20002' })], T0).internal).toBe(false);
    expect(completedCall([leg('ended', { phone: '20-002' })], T0, new Set(['20002'])).internal).toBe(true);
  });

  test('a withheld number stays \'\' and is a customer\'s call', () => {
    expect(completedCall([leg('ended', { phone: '' })], T0)).toMatchObject({ phone: '', internal: false });
    expect(isInternal('', [''], new Set(['']))).toBe(false);
  });

  test('the phone is the first leg\'s: a transfer\'s later leg may name the transferring extension', () => {
    const legs = [leg('ended', { extension: '101', result: 'answered' }), leg('ended', { extension: '102', phone: '101', result: 'answered' })];
    expect(completedCall(legs, T0)).toMatchObject({ phone: '+14155550100', internal: false });
  });

  test('the relay and the widget agree on which numbers are internal (the rule lives in src/protocol)', () => {
    const chars = fc.constantFrom('0', '1', '2', '9', ' ', '-', '+', '(', ')', '.', 'a', '\u00a0', '/');
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }).map((a) => a.join('')), fc.boolean(), (body, tel) => {
        const raw = tel ? `tel:${body}` : body;
        const widget = normalizeNumber(raw, 'US');
        expect(widget.kind === 'internal' ? widget.extension : null).toBe(internalExtension(raw));
      }),
    );
  });
});
