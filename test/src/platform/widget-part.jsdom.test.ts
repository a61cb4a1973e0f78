/** @jest-environment jsdom */
/**
 * A widget part (leader.js, poll.js...) is fetched through the host's RequireJS once; asked for
 * again (the takeover of a tab that prefetched leader.js), it is handed over in a microtask,
 * without RequireJS's timer, and still never before the call returns.
 */
import { loadWidgetPart } from '../../../src/platform/widget-part';

const win = window as unknown as { requirejs?: unknown };
afterEach(() => {
  delete win.requirejs;
});

test('the first load goes through RequireJS; the second gets the same module in a microtask, RequireJS not asked again', async () => {
  const leader = { start: () => 'leader' };
  const requirejs = jest.fn((deps: string[], ok: (m: unknown) => void) => setTimeout(() => ok(leader), 5));
  win.requirejs = requirejs;
  const first = await new Promise((resolve, reject) => loadWidgetPart('leader', '/widgets/w1/', resolve, reject));
  expect(first).toBe(leader);
  expect(requirejs).toHaveBeenCalledWith(['/widgets/w1/leader.js'], expect.any(Function), expect.any(Function));

  const order: string[] = [];
  const second = new Promise((resolve, reject) =>
    loadWidgetPart('leader', '/widgets/w1', (m) => {
      order.push('loaded');
      resolve(m);
    }, reject),
  );
  order.push('returned');
  expect(await second).toBe(leader);
  expect(order).toEqual(['returned', 'loaded']);
  expect(requirejs).toHaveBeenCalledTimes(1);
});

test('a failed load is not remembered: the next call asks RequireJS again; a callback that throws is reported as failed', async () => {
  const module = { n: 1 };
  let fail = true;
  const undef = jest.fn();
  win.requirejs = Object.assign(
    jest.fn((deps: string[], ok: (m: unknown) => void, no: (e: unknown) => void) => (fail ? no(new Error('404')) : ok(module))),
    { undef },
  );
  await expect(new Promise((resolve, reject) => loadWidgetPart('poll', '/w2', resolve, reject))).rejects.toThrow('404');
  expect(undef).toHaveBeenCalledWith('/w2/poll.js');
  fail = false;
  await expect(new Promise((resolve, reject) => loadWidgetPart('poll', '/w2', resolve, reject))).resolves.toBe(module);
  const thrown = await new Promise((resolve) =>
    loadWidgetPart('poll', '/w2', () => {
      throw new Error('bug in the part');
    }, resolve),
  );
  expect(String(thrown)).toContain('bug in the part');
});
