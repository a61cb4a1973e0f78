/** @jest-environment jsdom */
/** Where the browser APIs are missing (jsdom, old browsers) the widget works alone in its tab. */
import { createTabSession } from '../../../src/tabs';
import { browserTabEnvironment } from '../../../src/platform/tab-environment';
import { browserPage } from '../../../src/platform/page';
import { silentLogger } from '../../../src/core/logger';
import { popup, recordingLogger, state, TabClock, type Logged } from '../tabs/doubles';

test('browserTabEnvironment reads what the window has, and only that', () => {
  const env = browserTabEnvironment(window);
  const page = browserPage(window);
  // jsdom has localStorage but neither Web Locks nor BroadcastChannel.
  expect(env.locks).toBeUndefined();
  expect(env.storage).toBe(window.localStorage);
  expect(page.isVisible()).toBe(document.visibilityState !== 'hidden');
  const seen: string[] = [];
  const off = page.onAttention(() => seen.push('attention'));
  window.dispatchEvent(new Event('focus'));
  document.dispatchEvent(new Event('visibilitychange'));
  off();
  window.dispatchEvent(new Event('blur'));
  expect(seen).toEqual(['attention', 'attention']);
});

test('browserTabEnvironment drops storage that throws (disabled for the origin)', () => {
  const win = Object.create(window, { localStorage: { get: () => { throw new DOMException('denied', 'SecurityError'); } } });
  expect(browserTabEnvironment(win).storage).toBeUndefined();
  expect(browserTabEnvironment(win).onStorage).toBeUndefined();
});

test('without locks, channel and storage the tab is alone: it leads and displays itself', () => {
  jest.useFakeTimers();
  const clock = new TabClock();
  const page = browserPage(window);
  const displayed: unknown[] = [];
  const states: unknown[] = [];
  const logs: Logged[] = [];
  let ctx: Parameters<Parameters<typeof createTabSession>[0]['lead']>[0] | null = null;
  let running = false;
  const session = createTabSession({
    key: 'acc1:user1',
    tabId: 't',
    clock,
    logger: recordingLogger(logs),
    page,
    lead(c) {
      ctx = c;
      running = true;
      return { stop: () => void (running = false) };
    },
    display: (p) => void displayed.push(p),
    onState: (s) => void states.push(s),
  });
  expect(session.mode).toBe('alone');
  expect(session.role).toEqual({ role: 'alone' });
  expect(running).toBe(true);
  ctx!.showPopup(popup('Adam Noah'), 'call-1');
  ctx!.showPopup(popup('Adam Noah'), 'call-1');
  ctx!.publish(state(['call-1']));
  ctx!.markNotified('call-1');
  expect(ctx!.wasNotified('call-1')).toBe(true);
  expect(displayed).toEqual([popup('Adam Noah')]);
  expect(states).toEqual([state(['call-1'])]);
  session.stop();
  expect(running).toBe(false);
  expect(clock.pending).toBe(0);
  jest.useRealTimers();
});

test('a BroadcastChannel without locks or storage cannot elect: alone, channel closed', () => {
  let closed = 0;
  class LonelyChannel {
    postMessage() {}
    addEventListener() {}
    removeEventListener() {}
    close() {
      closed++;
    }
  }
  const session = createTabSession({
    key: 'k', tabId: 't', clock: new TabClock(), logger: silentLogger,
    BroadcastChannel: LonelyChannel,
    page: browserPage(window),
    lead: () => ({ stop() {} }),
    display() {},
  });
  expect(session.mode).toBe('alone');
  expect(closed).toBe(1);
  session.stop();
});

test('a lock request that fails sends the tab to work alone', async () => {
  const session = createTabSession({
    key: 'k', tabId: 't', clock: new TabClock(), logger: silentLogger,
    locks: { request: () => Promise.reject(new DOMException('no', 'SecurityError')) },
    storage: window.localStorage,
    onStorage: () => () => {},
    page: browserPage(window),
    lead: () => ({ stop() {} }),
    display() {},
  });
  expect(session.mode).toBe('locks');
  await Promise.resolve();
  await Promise.resolve();
  expect(session.mode).toBe('alone');
  expect(session.role).toEqual({ role: 'alone' });
  session.stop();
});
