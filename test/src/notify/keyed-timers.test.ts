import { createKeyedTimers } from '../../../src/notify/keyed-timers';
import { ManualClock } from '../../support/manual-clock';

test('one timer per key: setting a key again replaces its timer, other keys run on', () => {
  const clock = new ManualClock();
  const timers = createKeyedTimers(clock);
  const fired: string[] = [];
  timers.set('a', 100, () => fired.push('a1'));
  timers.set('b', 120, () => fired.push('b'));
  clock.advance(50);
  timers.set('a', 100, () => fired.push('a2'));
  expect(timers.size).toBe(2);
  clock.advance(99);
  expect(fired).toEqual(['b']);
  clock.advance(1);
  expect(fired).toEqual(['b', 'a2']);
  expect(timers.size).toBe(0);
  expect(clock.pending()).toBe(0);
});

test('clear stops one key (twice is fine); clearAll stops every timer', () => {
  const clock = new ManualClock();
  const timers = createKeyedTimers(clock);
  const fired: string[] = [];
  for (const key of ['a', 'b', 'c']) timers.set(key, 10, () => fired.push(key));
  timers.clear('a');
  timers.clear('a');
  timers.clear('none');
  expect(timers.size).toBe(2);
  timers.clearAll();
  expect(timers.size).toBe(0);
  expect(clock.pending()).toBe(0);
  clock.advance(100);
  expect(fired).toEqual([]);
});

test('a timer may set its own key again when it fires', () => {
  const clock = new ManualClock();
  const timers = createKeyedTimers(clock);
  let runs = 0;
  const tick = (): void => {
    runs += 1;
    if (runs < 3) timers.set('k', 10, tick);
  };
  timers.set('k', 10, tick);
  clock.advance(100);
  expect(runs).toBe(3);
  expect(timers.size).toBe(0);
});
