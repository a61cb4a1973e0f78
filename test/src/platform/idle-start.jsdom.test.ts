/** @jest-environment jsdom */
import { startWhenIdle } from '../../../src/platform/idle-start';

/** jsdom has no requestIdleCallback: a fake one the test fires by hand, with its timeout recorded. */
function idleWindow() {
  const idle = new Map<number, { fn: () => void; timeout: number | undefined }>();
  let next = 1;
  const win = Object.assign(Object.create(window) as Window & typeof globalThis, {
    setTimeout: window.setTimeout.bind(window),
    clearTimeout: window.clearTimeout.bind(window),
    requestIdleCallback: (fn: () => void, options?: { timeout?: number }) => {
      idle.set(next, { fn, timeout: options?.timeout });
      return next++;
    },
    cancelIdleCallback: (id: number) => idle.delete(id),
  });
  return { win, idle };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('init returns before the start runs: it waits for idle time, bounded, then runs once', () => {
  const { win, idle } = idleWindow();
  const start = jest.fn();
  startWhenIdle(win, start);
  expect(start).not.toHaveBeenCalled();
  const [queued] = [...idle.values()];
  expect(queued?.timeout).toBeLessThanOrEqual(500);
  queued!.fn();
  queued!.fn();
  expect(start).toHaveBeenCalledTimes(1);
});

test('a callback that needs the started widget runs the start at once, and idle time runs nothing more', () => {
  const { win, idle } = idleWindow();
  const start = jest.fn();
  const pending = startWhenIdle(win, start);
  pending.flush();
  expect(start).toHaveBeenCalledTimes(1);
  expect(idle.size).toBe(0);
  pending.flush();
  expect(start).toHaveBeenCalledTimes(1);
});

test('a browser without requestIdleCallback starts on the next turn', () => {
  const start = jest.fn();
  const win = Object.assign(Object.create(window) as Window & typeof globalThis, { setTimeout: window.setTimeout.bind(window), clearTimeout: window.clearTimeout.bind(window), requestIdleCallback: undefined });
  startWhenIdle(win, start);
  expect(start).not.toHaveBeenCalled();
  jest.advanceTimersByTime(0);
  expect(start).toHaveBeenCalledTimes(1);
});

test('a widget destroyed before idle time came never starts', () => {
  const { win, idle } = idleWindow();
  const start = jest.fn();
  const pending = startWhenIdle(win, start);
  pending.cancel();
  expect(idle.size).toBe(0);
  pending.flush();
  expect(start).not.toHaveBeenCalled();
});
