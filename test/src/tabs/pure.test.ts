/** The pure parts of tab coordination: attention, lease verdicts, the handover set, messages. */
import { pickPopupTab, readAttention } from '../../../src/tabs/attention';
import { addCallId, addCallIds } from '../../../src/tabs/handover';
import { judgeLease, parseLease } from '../../../src/tabs/lease';
import { parseTabMessage } from '../../../src/tabs/protocol';
import type { Attention } from '../../../src/tabs';
import { checks, FakePage, state } from './doubles';

describe('pickPopupTab', () => {
  const looking = (since: number): Attention => ({ kind: 'looking', since });
  test('the tab looked at most recently wins; visible-only and hidden tabs never do', () => {
    const tabs = new Map<string, Attention>([
      ['leader', { kind: 'visible' }],
      ['a', looking(100)],
      ['b', looking(300)],
      ['c', { kind: 'hidden' }],
    ]);
    expect(pickPopupTab('leader', tabs)).toBe('b');
    tabs.set('b', { kind: 'visible' });
    expect(pickPopupTab('leader', tabs)).toBe('a');
  });
  test('nobody looking: the leader', () => {
    expect(pickPopupTab('leader', new Map([['a', { kind: 'visible' as const }]]))).toBe('leader');
    expect(pickPopupTab('leader', new Map())).toBe('leader');
  });
  test('a tie goes to the leader (no message needed)', () => {
    expect(pickPopupTab('leader', new Map([['a', looking(5)], ['leader', looking(5)]]))).toBe('leader');
  });
});

test('readAttention keeps `since` while the user keeps looking', () => {
  const page = new FakePage(true, true);
  const first = readAttention(page, { kind: 'hidden' }, 10);
  expect(first).toEqual({ kind: 'looking', since: 10 });
  expect(readAttention(page, first, 50)).toBe(first);
  page.focused = false;
  expect(readAttention(page, first, 60)).toEqual({ kind: 'visible' });
  page.visible = false;
  expect(readAttention(page, first, 70)).toEqual({ kind: 'hidden' });
});

describe('lease', () => {
  test('free when missing, expired, unreadable or absurdly long; else mine or held', () => {
    const now = 10_000;
    expect(judgeLease(null, 'a', now, 1600)).toEqual({ kind: 'free' });
    expect(judgeLease({ tabId: 'b', expiresAt: now }, 'a', now, 1600)).toEqual({ kind: 'free' });
    expect(judgeLease({ tabId: 'b', expiresAt: now + 1 }, 'a', now, 1600)).toEqual({ kind: 'held', by: 'b' });
    expect(judgeLease({ tabId: 'a', expiresAt: now + 1600 }, 'a', now, 1600)).toEqual({ kind: 'mine' });
    expect(judgeLease({ tabId: 'b', expiresAt: now + 3201 }, 'a', now, 1600)).toEqual({ kind: 'free' });
  });
  test('parseLease rejects what is not a record', () => {
    expect(parseLease('{"tabId":"a","expiresAt":5}')).toEqual({ tabId: 'a', expiresAt: 5 });
    for (const raw of [null, '', 'nope', '5', '{"tabId":"","expiresAt":5}', '{"tabId":"a","expiresAt":"5"}', '{"tabId":"a"}']) {
      expect(parseLease(raw)).toBeNull();
    }
  });
});

test('call id lists keep the newest ids, in order, without duplicates, and never change in place', () => {
  const one = addCallId([], '1', 3);
  expect(one).toEqual(['1']);
  expect(addCallId(one, '1', 3)).toBe(one);
  const four = addCallIds(one, ['2', '3', '4'], 3);
  expect(four).toEqual(['2', '3', '4']);
  expect(one).toEqual(['1']);
  expect(addCallIds(four, Array.from({ length: 300 }, (_, i) => `n${i}`))).toHaveLength(200);
});

describe('parseTabMessage', () => {
  const base = { v: 1, key: 'k', from: 'tab-1' };
  test('accepts each message type', () => {
    const bodies = [
      { type: 'hello', attention: { kind: 'looking', since: 1 } },
      { type: 'snapshot', state: null, handover: { popped: ['a'], notified: [] } },
      { type: 'snapshot', state: state(['c']), handover: { popped: [], notified: ['b'] } },
      { type: 'state', state: state(['c']) },
      { type: 'mark', list: 'notified', callId: 'c' },
      { type: 'attention', attention: { kind: 'hidden' } },
      { type: 'popup', to: 'tab-2', callId: 'c', popup: { header: 'h', text: 't', date: 1 } },
      { type: 'popup-ack', to: 'tab-1', callId: 'c' },
      { type: 'bye', wasLeader: true, handover: { popped: [], notified: [] } },
      { type: 'bye', wasLeader: false, handover: null },
    ];
    for (const body of bodies) expect(parseTabMessage({ ...base, ...body }, 'k', checks)).toEqual({ ok: true, message: { ...base, ...body } });
  });
  test.each([
    [null, 'not an object'],
    [[], 'not an object'],
    [{ ...base, v: 2, type: 'hello' }, 'protocol version 2'],
    [{ ...base, key: 'other', type: 'hello' }, 'another account or user'],
    [{ ...base, from: '', type: 'hello' }, 'no sender'],
    [{ ...base, type: 'launch' }, 'unknown type'],
    [{ ...base, type: 'hello', attention: { kind: 'looking' } }, 'bad attention'],
    [{ ...base, type: 'state', state: { calls: [{ callId: 'c' }] } }, 'bad state'],
    [{ ...base, type: 'mark', list: 'other', callId: 'c' }, 'bad mark'],
    [{ ...base, type: 'mark', list: 'popped', callId: 'x'.repeat(129) }, 'bad mark'],
    [{ ...base, type: 'popup', to: 't', callId: 'c', popup: { header: 'h', text: 5, date: 1 } }, 'bad popup'],
    [{ ...base, type: 'snapshot', state: null, handover: { popped: [1], notified: [] } }, 'bad handover'],
    [{ ...base, type: 'bye', wasLeader: 'yes', handover: null }, 'bad bye'],
  ])('drops %j: %s', (raw, reason) => {
    expect(parseTabMessage(raw, 'k', checks)).toEqual({ ok: false, reason });
  });
  test('the payloads are what the checks make of them; without checks they pass as they came', () => {
    const raw = { ...base, type: 'popup', to: 't', callId: 'c', popup: { header: 'h', text: 't', date: 1, extra: true } };
    expect(parseTabMessage(raw, 'k', checks)).toEqual({ ok: true, message: { ...raw, popup: { header: 'h', text: 't', date: 1 } } });
    const asIs = (value: unknown) => value;
    expect(parseTabMessage(raw, 'k', { popup: asIs, state: asIs })).toEqual({ ok: true, message: raw });
  });
});
