import { DOUBLE_CLICK_MS, initialGate, stepGate } from '../../../src/dial';
import type { GateState } from '../../../src/dial';

function clicks(inputs: Array<[string, number] | 'done'>, state: GateState = initialGate) {
  const decisions: Array<string | null> = [];
  for (const input of inputs) {
    const step = stepGate(state, input === 'done' ? { kind: 'done' } : { kind: 'click', number: input[0], now: input[1] });
    state = step.state;
    decisions.push(step.decision);
  }
  return decisions;
}

test('a double click dials once: the same number while its request is out, or within 2 s, is ignored', () => {
  expect(clicks([['+1 830', 0], ['+1 830', 150]])).toEqual(['dial', 'ignore']);
  expect(clicks([['+1 830', 0], 'done', ['+1 830', DOUBLE_CLICK_MS - 1]])).toEqual(['dial', null, 'ignore']);
});

test('the same number again after 2 s, once the first request is answered, dials again', () => {
  expect(clicks([['+1 830', 0], 'done', ['+1 830', DOUBLE_CLICK_MS]])).toEqual(['dial', null, 'dial']);
});

test('the same number past 2 s while its request is still out is still ignored (one request per number at a time)', () => {
  expect(clicks([['+1 830', 0], ['+1 830', 10_000]])).toEqual(['dial', 'ignore']);
});

test('another number while one request is out is told to wait; after it, it dials', () => {
  expect(clicks([['+1 830', 0], ['+7 495', 500], 'done', ['+7 495', 600]])).toEqual(['dial', 'still-starting', null, 'dial']);
});

test('a "still starting" click does not take the gate: the first request keeps it', () => {
  const first = stepGate(initialGate, { kind: 'click', number: 'a', now: 0 }).state;
  const waiting = stepGate(first, { kind: 'click', number: 'b', now: 10 });
  expect(waiting.state).toBe(first);
});
