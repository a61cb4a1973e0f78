/** The pop-up's decisions, without a clock: states and effects as data. */
import { callEventBody, stepPopup } from '../../../src/notify/popup-machine';
import type { PopupConfig, PopupState } from '../../../src/notify/popup-machine';
import { callEvent, entity, found, internal, invalid, notFound } from './fixtures';

const widget: PopupConfig = { popupBudgetMs: 1400, mode: 'widget', canPost: false, userId: '504141' };
const events: PopupConfig = { ...widget, mode: 'events', canPost: true };
const event = callEvent({ state: 'ringing' });
const waiting: PopupState = { state: 'waiting', event };
const clear = { kind: 'clear-timer', timer: 'popup', callId: 'c1' };

test('ringing starts the wait, with the budget as its timer', () => {
  expect(stepPopup({ state: 'none' }, { kind: 'ringing', event }, widget)).toEqual({
    state: waiting,
    effects: [{ kind: 'set-timer', timer: 'popup', callId: 'c1', ms: 1400 }],
  });
});

test('the lookup answering in time: the pop-up with its answer, the timer cleared', () => {
  const result = found(entity('contact', 42, 'Adam Noah'));
  expect(stepPopup(waiting, { kind: 'lookup-answered', result }, widget)).toEqual({
    state: { state: 'shown' },
    effects: [clear, { kind: 'show-popup', event, result }],
  });
});

test('the budget running out: the pop-up without an answer', () => {
  expect(stepPopup(waiting, { kind: 'budget-over' }, widget)).toEqual({ state: { state: 'shown' }, effects: [{ kind: 'show-popup', event, result: null }] });
});

test('cancelled while waiting: nothing shown, the timer cleared; cancelled before ringing: skipped', () => {
  expect(stepPopup(waiting, { kind: 'cancel' }, widget)).toEqual({ state: { state: 'skipped' }, effects: [clear] });
  expect(stepPopup({ state: 'none' }, { kind: 'cancel' }, widget)).toEqual({ state: { state: 'skipped' }, effects: [] });
});

test.each<PopupState>([{ state: 'shown' }, { state: 'skipped' }])('decided (%p): nothing moves it again', (state) => {
  for (const input of [{ kind: 'ringing', event }, { kind: 'lookup-answered', result: notFound() }, { kind: 'budget-over' }, { kind: 'cancel' }] as const) {
    expect(stepPopup(state, input, events)).toEqual({ state, effects: [] });
  }
});

test('no answer nor budget before ringing moves it', () => {
  expect(stepPopup({ state: 'none' }, { kind: 'lookup-answered', result: notFound() }, widget)).toEqual({ state: { state: 'none' }, effects: [] });
  expect(stepPopup({ state: 'none' }, { kind: 'budget-over' }, widget)).toEqual({ state: { state: 'none' }, effects: [] });
  expect(stepPopup(waiting, { kind: 'ringing', event }, widget)).toEqual({ state: waiting, effects: [] });
});

describe('events mode', () => {
  test('a caller: posted to Kommo instead of the pop-up', () => {
    const result = notFound();
    expect(stepPopup(waiting, { kind: 'lookup-answered', result }, events).effects).toEqual([
      clear,
      { kind: 'post-event', event, result, body: { add: [{ type: 'phone_call', phone_number: '+18305803077', users: [504141] }] } },
    ]);
  });

  test('a rejected lookup (null answer) is marked, so the pop-up says it failed rather than that the CRM is slow', () => {
    expect(stepPopup(waiting, { kind: 'lookup-answered', result: null }, widget).effects).toEqual([clear, { kind: 'show-popup', event, result: null, rejected: true }]);
  });

  test.each([internal('204'), invalid('Anonymous')])('%p: Kommo cannot match it, the widget pops up', (result) => {
    expect(stepPopup(waiting, { kind: 'lookup-answered', result }, events).effects).toEqual([clear, { kind: 'show-popup', event, result }]);
  });

  test('no way to post: a warning and the widget pop-up', () => {
    expect(stepPopup(waiting, { kind: 'budget-over' }, { ...events, canPost: false }).effects).toEqual([
      { kind: 'warn', message: 'notify: no way to post events; pop-up instead' },
      { kind: 'show-popup', event, result: null },
    ]);
  });
});

test('the call event: E.164 when the lookup has the number, else what the PBX sent; a numeric user id as a number', () => {
  expect(callEventBody(event, notFound(), '504141')).toEqual({ add: [{ type: 'phone_call', phone_number: '+18305803077', users: [504141] }] });
  expect(callEventBody(callEvent({ phone: ' 8305803077 ' }), null, 'u-7')).toEqual({ add: [{ type: 'phone_call', phone_number: '8305803077', users: ['u-7'] }] });
});

test('the call event of a number that names no country carries the digits as sent, not a made-up +84...', () => {
  const digits = { raw: '84951234567', e164: '+84951234567', international: '84951234567', digits: '84951234567', hasCountry: false };
  expect(callEventBody(callEvent({ phone: '84951234567' }), notFound(digits), '504141').add[0]?.phone_number).toBe('84951234567');
});
