/** @jest-environment jsdom */
import { prefetchWhenIdle } from '../../../src/platform/idle-prefetch';

/** jsdom has no requestIdleCallback: a fake one the test fires by hand, and fake timers. */
function idleWindow() {
  const idle = new Map<number, () => void>();
  let next = 1;
  const win = Object.assign(Object.create(window) as Window & typeof globalThis, {
    setTimeout: window.setTimeout.bind(window),
    clearTimeout: window.clearTimeout.bind(window),
    requestIdleCallback: (fn: () => void) => {
      idle.set(next, fn);
      return next++;
    },
    cancelIdleCallback: (id: number) => idle.delete(id),
  });
  return { win, idle };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('nothing is fetched during the page load: 2 s later the fetch waits for idle time, then runs once', () => {
  const { win, idle } = idleWindow();
  const load = jest.fn();
  prefetchWhenIdle(win, load);
  jest.advanceTimersByTime(1_999);
  expect(idle.size).toBe(0);
  jest.advanceTimersByTime(1);
  expect(load).not.toHaveBeenCalled();
  expect(idle.size).toBe(1);
  [...idle.values()][0]!();
  expect(load).toHaveBeenCalledTimes(1);
});

test('cancelled before or while it waits for idle time: never fetched, nothing left pending', () => {
  const early = idleWindow();
  const load = jest.fn();
  prefetchWhenIdle(early.win, load)();
  jest.advanceTimersByTime(5_000);
  expect(early.idle.size).toBe(0);
  const waiting = idleWindow();
  const cancel = prefetchWhenIdle(waiting.win, load);
  jest.advanceTimersByTime(2_000);
  cancel();
  expect(waiting.idle.size).toBe(0);
  expect(load).not.toHaveBeenCalled();
  expect(jest.getTimerCount()).toBe(0);
});

test('a browser without requestIdleCallback fetches on the next turn instead', () => {
  const load = jest.fn();
  const win = Object.assign(Object.create(window) as Window & typeof globalThis, { setTimeout: window.setTimeout.bind(window), clearTimeout: window.clearTimeout.bind(window), requestIdleCallback: undefined });
  prefetchWhenIdle(win, load);
  jest.advanceTimersByTime(2_000);
  expect(load).not.toHaveBeenCalled();
  jest.advanceTimersByTime(1);
  expect(load).toHaveBeenCalledTimes(1);
});
