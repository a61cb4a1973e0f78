/** @jest-environment jsdom */
/** localStorage as the remembered callers' storage (src/platform/caller-storage.ts), in jsdom. */
import { callersKey, forgetCallers } from '../../../src/lookup/caller-keys';
import { silentLogger } from '../../../src/core/logger';
import { browserCallerStorage } from '../../../src/platform/caller-storage';

beforeEach(() => window.localStorage.clear());

test("the page's localStorage itself", () => {
  expect(browserCallerStorage(window)).toBe(window.localStorage);
});

test('forgetCallers on it removes the widget’s caller lists only', () => {
  const storage = browserCallerStorage(window)!;
  window.localStorage.setItem(callersKey('1', 'a'), '{}');
  window.localStorage.setItem(callersKey('1', 'b'), '{}');
  window.localStorage.setItem('sandbox.user', '1');
  forgetCallers(storage, silentLogger, callersKey('1', 'a'));
  expect(Object.keys(window.localStorage).sort()).toEqual([callersKey('1', 'a'), 'sandbox.user'].sort());
});

test('storage disabled (the getter throws SecurityError) or absent: none, nothing thrown', () => {
  const disabled = Object.defineProperty({}, 'localStorage', {
    get() {
      throw new DOMException('denied', 'SecurityError');
    },
  });
  expect(browserCallerStorage(disabled)).toBeUndefined();
  expect(browserCallerStorage({})).toBeUndefined();
});
