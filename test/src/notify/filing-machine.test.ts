/** The completed notification's decisions, without a clock: states and effects as data. */
import { stepFiling } from '../../../src/notify/filing-machine';
import type { FilingState } from '../../../src/notify/filing-machine';
import { callEvent, notFound } from './fixtures';

const config = { filingBudgetMs: 10_000 };
const event = callEvent({ state: 'ended', duration: 42 });
const waiting: FilingState = { state: 'waiting', event };
const clear = { kind: 'clear-timer', timer: 'filing', callId: 'c1' };

test('ended with the lookup answered: filed at once with its answer', () => {
  const result = notFound();
  expect(stepFiling({ state: 'none' }, { kind: 'ended', event, lookup: { state: 'done', result } }, config)).toEqual({
    state: { state: 'done' },
    effects: [{ kind: 'file-call', event, result }],
  });
});

test('ended with the lookup running: waits, at most the budget', () => {
  expect(stepFiling({ state: 'none' }, { kind: 'ended', event, lookup: { state: 'pending' } }, config)).toEqual({
    state: waiting,
    effects: [{ kind: 'set-timer', timer: 'filing', callId: 'c1', ms: 10_000 }],
  });
});

test('a repeated ended while waiting: no second filing, no second timer, the first event kept', () => {
  const again = callEvent({ state: 'ended', duration: 50 });
  for (const lookup of [{ state: 'pending' }, { state: 'done', result: notFound() }] as const) {
    expect(stepFiling(waiting, { kind: 'ended', event: again, lookup }, config)).toEqual({ state: waiting, effects: [] });
  }
});

test('waiting, the lookup answers: filed with it, the timer cleared', () => {
  const result = notFound();
  expect(stepFiling(waiting, { kind: 'lookup-answered', result }, config)).toEqual({
    state: { state: 'done' },
    effects: [clear, { kind: 'file-call', event, result }],
  });
});

test('waiting, the budget runs out: filed without an answer', () => {
  expect(stepFiling(waiting, { kind: 'budget-over' }, config)).toEqual({ state: { state: 'done' }, effects: [{ kind: 'file-call', event, result: null }] });
});

test('cancelled: never filed; a waiting one clears its timer', () => {
  expect(stepFiling(waiting, { kind: 'cancel' }, config)).toEqual({ state: { state: 'done' }, effects: [clear] });
  expect(stepFiling({ state: 'none' }, { kind: 'cancel' }, config)).toEqual({ state: { state: 'done' }, effects: [] });
});

test('before the end, answers and budgets do nothing; once done, nothing does', () => {
  const inputs = [{ kind: 'lookup-answered', result: notFound() }, { kind: 'budget-over' }] as const;
  for (const input of inputs) expect(stepFiling({ state: 'none' }, input, config)).toEqual({ state: { state: 'none' }, effects: [] });
  for (const input of [...inputs, { kind: 'cancel' }, { kind: 'ended', event, lookup: { state: 'pending' } }] as const) {
    expect(stepFiling({ state: 'done' }, input, config)).toEqual({ state: { state: 'done' }, effects: [] });
  }
});
