/** The notifier's decisions, without a clock: inputs in (time as a number), effects out. */
import type { CallChange, CallEvent } from '../../../src/feed/types';
import type { NotifyEffect } from '../../../src/notify/effects';
import { initialNotifierState, pruneNotifier, stepNotifier } from '../../../src/notify/notifier-machine';
import type { NotifierConfig, NotifierInput, NotifierState } from '../../../src/notify/notifier-machine';
import { callEvent, notFound } from './fixtures';

const config: NotifierConfig = {
  popupBudgetMs: 1400,
  filingBudgetMs: 10_000,
  rememberMs: 600_000,
  popupMaxAgeMs: 120_000,
  maxActive: 3,
  maxRemembered: 3,
  mode: 'widget',
  canPost: false,
  userId: '504141',
};
const T = 1_000_000;

const change = (state: CallEvent['state'], o: Partial<CallEvent> = {}, now = T): NotifierInput => ({
  kind: 'change',
  change: { kind: 'state', call: callEvent({ state, ...o }), previous: null },
  now,
});
const vanished = (callId = 'c1', now = T): NotifierInput => ({ kind: 'change', change: { kind: 'vanished', call: callEvent({ callId }) } as CallChange, now });
const answered = (seq: number, callId = 'c1', now = T): NotifierInput => ({ kind: 'lookup-answered', callId, seq, result: notFound(), now });

/** Runs inputs from `state`; the effects of the last one, and the state after all. */
function run(inputs: NotifierInput[], state: NotifierState = initialNotifierState): { state: NotifierState; effects: NotifyEffect[]; all: NotifyEffect[] } {
  let effects: NotifyEffect[] = [];
  const all: NotifyEffect[] = [];
  for (const input of inputs) {
    ({ state, effects } = stepNotifier(state, input, config));
    all.push(...effects);
  }
  return { state, effects, all };
}
const kinds = (effects: NotifyEffect[]) => effects.map((e) => ('timer' in e ? `${e.kind}:${e.timer}` : e.kind));
const active = (state: NotifierState) => (state.state === 'running' ? [...state.active.keys()] : []);
const memory = (state: NotifierState) => Object.fromEntries(state.memory);

test('a ringing call: looked up once, the pop-up timer set; a repeated ring does nothing', () => {
  const first = run([change('ringing')]);
  expect(first.effects).toEqual([
    { kind: 'look-up', callId: 'c1', seq: 1, phone: '+1 (830) 580-3077' },
    { kind: 'set-timer', timer: 'popup', callId: 'c1', ms: 1400 },
  ]);
  expect(run([change('ringing'), change('answered')], first.state).all).toEqual([]);
});

test("an answer only counts for the call that asked: another call's seq is ignored", () => {
  const { state } = run([change('ringing')]);
  expect(run([answered(2)], state).effects).toEqual([]);
  expect(kinds(run([answered(1)], state).effects)).toEqual(['clear-timer:popup', 'show-popup']);
});

test('the budget running out: the pop-up without an answer; the timer of an untracked call does nothing', () => {
  const { state } = run([change('ringing')]);
  expect(run([{ kind: 'timer', timer: 'popup', callId: 'c1', now: T + 1400 }], state).effects).toEqual([
    { kind: 'show-popup', event: callEvent(), result: null },
  ]);
  expect(run([{ kind: 'timer', timer: 'popup', callId: 'other', now: T }], state).effects).toEqual([]);
});

test('ended while the lookup runs: the pop-up called off, the filing waits; a repeated ended does nothing; the answer files it', () => {
  const ended = run([change('ringing'), change('ended')]);
  expect(kinds(ended.effects)).toEqual(['clear-timer:popup', 'set-timer:filing']);
  const again = run([change('ended', {}, T + 3000)], ended.state);
  expect(again.effects).toEqual([]);
  const filed = run([answered(1, 'c1', T + 5000)], again.state);
  // Inbound, no talk time: missed, so its pop-up follows the filing.
  expect(kinds(filed.effects)).toEqual(['clear-timer:filing', 'file-call', 'show-missed']);
  expect(active(filed.state)).toEqual([]);
  expect(memory(filed.state)).toEqual({ c1: { until: T + 5000 + 600_000, source: 'local' } });
});

test('the filing budget running out files by number and finishes the call', () => {
  const { state } = run([change('ended')]);
  const filed = run([{ kind: 'timer', timer: 'filing', callId: 'c1', now: T + 10_000 }], state);
  expect(filed.effects).toEqual([
    { kind: 'file-call', event: callEvent({ state: 'ended' }), result: null },
    { kind: 'show-missed', event: callEvent({ state: 'ended' }), result: null },
  ]);
  expect(active(filed.state)).toEqual([]);
});

test('the missed pop-up: inbound calls nobody here answered, recently ended; not answered, outbound, a colleague\'s, or old ones', () => {
  const filedKinds = (o: Parameters<typeof callEvent>[0], now = T + 5000) => {
    const { state } = run([change('ringing'), { kind: 'change', change: { kind: 'state', call: callEvent({ state: 'ended', at: T + 1000, ...o }), previous: 'ringing' }, now: T + 1000 }]);
    return kinds(run([answered(1, 'c1', now)], state).effects);
  };
  expect(filedKinds({ result: 'missed', duration: 0 })).toEqual(['clear-timer:filing', 'file-call', 'show-missed']);
  expect(filedKinds({ result: 'answered', duration: 30 })).toEqual(['clear-timer:filing', 'file-call']);
  expect(filedKinds({ result: 'answered_elsewhere', duration: 0 })).toEqual(['clear-timer:filing', 'file-call']);
  expect(filedKinds({ direction: 'outbound', result: 'missed', duration: 0 })).toEqual(['clear-timer:filing', 'file-call']);
  expect(filedKinds({ result: 'missed', duration: 0 }, T + 121_001)).toEqual(['clear-timer:filing', 'file-call']);
  expect(filedKinds({ result: 'missed', duration: 0 }, T + 121_000)).toEqual(['clear-timer:filing', 'file-call', 'show-missed']);
});

test('a finished call stays finished: every later change of it does nothing', () => {
  const { state } = run([change('ended'), answered(1)]);
  expect(run([change('ringing'), change('answered'), change('ended'), vanished()], state).all).toEqual([]);
});

test('vanished: finished at once, unless its filing waits for the lookup', () => {
  const rung = run([change('ringing'), vanished()]);
  expect(kinds(rung.effects)).toEqual(['clear-timer:popup']);
  expect(memory(rung.state)).toEqual({ c1: { until: T + 600_000, source: 'local' } });
  const waiting = run([change('ended'), vanished()]);
  expect(waiting.effects).toEqual([]);
  expect(active(waiting.state)).toEqual(['c1']);
});

test('handed over: no pop-up, an ended replay files nothing; still active, it is tracked and filed', () => {
  const { state } = run([{ kind: 'remember', ids: ['c1', 'c2'], now: T }]);
  expect(run([change('ended')], state).all).toEqual([]);
  const talking = run([change('answered', { callId: 'c2' })], state);
  expect(kinds(talking.effects)).toEqual(['look-up']);
  expect(Object.keys(memory(talking.state))).toEqual(['c1']);
});

test('handed over while this notifier waits to pop it up: the wait is called off', () => {
  const { state } = run([change('ringing')]);
  expect(kinds(run([{ kind: 'remember', ids: ['c1'], now: T }], state).effects)).toEqual(['clear-timer:popup']);
});

test('remember keeps its own finished ids local and ignores junk', () => {
  const { state } = run([change('ended'), answered(1), { kind: 'remember', ids: ['c1', '', 7, 'x'], now: T + 1 }]);
  expect(memory(state)).toEqual({ c1: { until: T + 600_000, source: 'local' }, x: { until: T + 1 + 600_000, source: 'handover' } });
  expect(run([{ kind: 'remember', ids: 'c9', now: T }], state)).toMatchObject({ state, effects: [] });
});

test('more calls than maxActive: the oldest is forgotten (warned, its timer cleared) before the new one is looked up', () => {
  const { state } = run(['a', 'b', 'c'].map((callId) => change('ringing', { callId })));
  const fourth = run([change('ringing', { callId: 'd' })], state);
  expect(kinds(fourth.effects)).toEqual(['warn', 'clear-timer:popup', 'look-up', 'set-timer:popup']);
  expect(active(fourth.state)).toEqual(['b', 'c', 'd']);
  expect(Object.keys(memory(fourth.state))).toEqual(['a']);
});

test('memory: expired ids go at rememberMs, the oldest beyond maxRemembered go first', () => {
  const { state } = run([{ kind: 'remember', ids: ['a', 'b', 'c'], now: T }, { kind: 'remember', ids: ['d'], now: T + 10 }]);
  expect(Object.keys(memory(state))).toEqual(['b', 'c', 'd']);
  expect(Object.keys(memory(pruneNotifier(state, T + 599_999, config)))).toEqual(['b', 'c', 'd']);
  expect(Object.keys(memory(pruneNotifier(state, T + 600_000, config)))).toEqual(['d']);
  expect(pruneNotifier(state, T, config)).toBe(state);
});

test('a failed POST: a warning and the pop-up it stood in for', () => {
  const event = callEvent();
  const error = new Error('403');
  expect(run([{ kind: 'post-failed', event, result: null, error }]).effects).toEqual([
    { kind: 'warn', message: 'notify: event post failed; pop-up instead', data: { callId: 'c1', error } },
    { kind: 'show-popup', event, result: null },
  ]);
});

test('dispose clears what waits, keeps the filed ids, and then ignores everything', () => {
  const { state } = run([change('ringing', { callId: 'a' }), change('ended', { callId: 'b' }), change('ended', { callId: 'c' }), answered(3, 'c')]);
  const disposed = run([{ kind: 'dispose' }], state);
  expect(kinds(disposed.effects)).toEqual(['clear-timer:popup', 'clear-timer:filing']);
  expect(disposed.state).toEqual({ state: 'disposed', memory: state.memory });
  const after = run([change('ringing', { callId: 'd' }), answered(1, 'a'), { kind: 'post-failed', event: callEvent(), result: null, error: null }, { kind: 'remember', ids: ['e'], now: T }], disposed.state);
  expect(after.all).toEqual([]);
  expect(after.state).toBe(disposed.state);
});

test('a change without a call id: a warning, nothing else', () => {
  for (const bad of [{ kind: 'state' }, null, { kind: 'state', call: { callId: '' } }]) {
    const { state, effects } = run([{ kind: 'change', change: bad as never, now: T }]);
    expect(effects).toEqual([{ kind: 'warn', message: 'notify: no call id, dropped' }]);
    expect(state).toEqual(initialNotifierState);
  }
});

test('a step never changes the state it was given', () => {
  const { state } = run([change('ringing', { callId: 'a' }), change('ended', { callId: 'b' })]);
  const before = JSON.stringify([active(state), memory(state), state.state === 'running' ? [...state.active.values()] : []]);
  run([answered(1, 'a'), answered(2, 'b'), change('ringing', { callId: 'c' }), { kind: 'dispose' }], state);
  expect(JSON.stringify([active(state), memory(state), state.state === 'running' ? [...state.active.values()] : []])).toBe(before);
});

describe('legs, ages and ends of protocol version 2', () => {
  const leg = (state: CallEvent['state'], extension: string, o: Partial<CallEvent> = {}, now = T): NotifierInput => ({
    kind: 'change',
    change: { kind: 'state', call: callEvent({ state, extension, ...o }), previous: null, leg: `c1\n${extension}` },
    now,
  });
  const shown = (all: NotifyEffect[]) => all.filter((e) => e.kind === 'set-timer' && e.timer === 'popup');
  const files = (all: NotifyEffect[]) => all.filter((e): e is Extract<NotifyEffect, { kind: 'file-call' }> => e.kind === 'file-call');

  test("a call ringing two of the user's extensions: one pop-up; filed once its last leg is over, with the best end", () => {
    const { all, state } = run([
      leg('ringing', '101'),
      leg('ringing', '102'),
      answered(1),
      leg('answered', '102'),
      leg('ended', '101', { result: 'answered_elsewhere' }),
    ]);
    expect(shown(all)).toHaveLength(1);
    expect(files(all)).toEqual([]);
    const last = run([leg('ended', '102', { result: 'answered', duration: 30 })], state);
    expect(files(last.all).map((e) => [e.event.extension, e.event.result])).toEqual([['102', 'answered']]);
    expect(run([leg('ended', '101', { result: 'missed' })], last.state).all).toEqual([]);
  });

  test('answered by a colleague beats missed; an expired end files nothing and closes the call', () => {
    const group = run([answered(1), leg('ended', '101', { result: 'missed' }), leg('ended', '102', { result: 'answered_elsewhere' })], run([leg('ringing', '101'), leg('ringing', '102')]).state);
    expect(files(group.all).map((e) => e.event.result)).toEqual(['answered_elsewhere']);
    const expired = run([leg('ringing', '101'), leg('ended', '101', { result: 'missed', expired: true })]);
    expect(files(expired.all)).toEqual([]);
    expect(kinds(expired.all)).toContain('clear-timer:popup');
    expect(active(expired.state)).toEqual([]);
    expect(memory(expired.state)).toHaveProperty('c1');
  });

  test('a ring older than popupMaxAgeMs pops nothing but is still filed; one just within pops; a late ring after the end brings nothing back', () => {
    const old = run([change('ringing', { at: T - 120_001 }), answered(1), change('ended', { at: T })]);
    expect(old.all.filter((e) => e.kind === 'show-popup')).toEqual([]);
    expect(files(old.all)).toHaveLength(1);
    const recent = run([change('ringing', { at: T - 120_000 }), answered(1)]);
    expect(recent.all.filter((e) => e.kind === 'show-popup')).toHaveLength(1);
    expect(run([change('ringing'), change('ringing', { extension: '102' })], old.state).all).toEqual([]);
  });
});
