/**
 * The remembered callers in a storage (caller-store.ts): an in-memory double of localStorage that
 * can refuse like a real one (SecurityError, QuotaExceededError) and a manual clock.
 */
import type { Logger } from '../../../src/core/logger';
import { callersKey, forgetCallers } from '../../../src/lookup/caller-keys';
import { createCallerStore } from '../../../src/lookup/caller-store';
import type { RememberedCaller } from '../../../src/lookup/stored-callers';
import { createManualClock } from '../../support/stepped-clock';
import { domError, memoryStorage } from './memory-storage';

const adam = (at: number): RememberedCaller => ({ at, card: { type: 'contact', id: 5760184, name: 'Adam Noah' } });
const KEY = callersKey('30224233', '504141');

let logs: string[];
const logger: Logger = {
  debug: (m) => logs.push(`debug ${m}`),
  info: (m) => logs.push(`info ${m}`),
  warn: (m) => logs.push(`warn ${m}`),
  error: (m) => logs.push(`error ${m}`),
};
beforeEach(() => {
  logs = [];
});

test('what one store (tab, page load) saves, the next one reads; another user reads nothing of it', () => {
  const clock = createManualClock();
  const storage = memoryStorage();
  createCallerStore({ scope: { storage, key: KEY }, clock, logger }).remember('+18305803077', adam(clock.now()));
  expect(createCallerStore({ scope: { storage, key: KEY }, clock, logger }).recall('+18305803077')).toEqual(adam(clock.now()));
  expect(createCallerStore({ scope: { storage, key: callersKey('30224233', '504142') }, clock, logger }).recall('+18305803077')).toBeUndefined();
  expect(logs).toEqual([]);
});

test('two tabs writing in turn keep both their callers (read, change, write back each time)', () => {
  const clock = createManualClock();
  const storage = memoryStorage();
  const a = createCallerStore({ scope: { storage, key: KEY }, clock, logger });
  const b = createCallerStore({ scope: { storage, key: KEY }, clock, logger });
  a.recall('+18305803077');
  b.remember('+12025550143', adam(clock.now()));
  a.remember('+18305803077', adam(clock.now()));
  expect(b.recall('+12025550143')).toBeDefined();
  expect(b.recall('+18305803077')).toBeDefined();
});

test('expired on the clock: not recalled, and dropped on the next write; forgetting the last removes the key', async () => {
  const clock = createManualClock();
  const storage = memoryStorage();
  const store = createCallerStore({ scope: { storage, key: KEY }, clock, logger, rules: { maxEntries: 10, maxAgeMs: 1000, freshMs: 100 } });
  store.remember('+18305803077', adam(clock.now()));
  await clock.advance(1000);
  expect(store.recall('+18305803077')).toBeUndefined();
  store.remember('+12025550143', adam(clock.now()));
  expect(Object.keys(JSON.parse(storage.items.get(KEY)!).callers)).toEqual(['+12025550143']);
  store.forget('+12025550143');
  expect(storage.items.has(KEY)).toBe(false);
});

test('corrupted JSON: removed with one debug log, and the list starts afresh', () => {
  const clock = createManualClock();
  const storage = memoryStorage();
  storage.items.set(KEY, '{"v":1,"callers":{"+1830');
  const store = createCallerStore({ scope: { storage, key: KEY }, clock, logger });
  expect(store.recall('+18305803077')).toBeUndefined();
  expect(storage.items.has(KEY)).toBe(false);
  store.remember('+18305803077', adam(clock.now()));
  expect(store.recall('+18305803077')).toBeDefined();
  expect(logs).toEqual(['debug caller ID: the remembered callers were unreadable; they start afresh']);
});

test.each([
  ['SecurityError on every access', { get: domError('SecurityError'), set: domError('SecurityError'), remove: domError('SecurityError') }],
  ['QuotaExceededError on writes', { set: domError('QuotaExceededError') }],
])('%s: never throws, turns itself off for the page with one debug log', (_name, refuse) => {
  const clock = createManualClock();
  const storage = memoryStorage(refuse);
  const store = createCallerStore({ scope: { storage, key: KEY }, clock, logger });
  for (let i = 0; i < 3; i += 1) {
    expect(() => store.remember('+18305803077', adam(clock.now()))).not.toThrow();
    expect(store.recall('+18305803077')).toBeUndefined();
    expect(() => store.forget('+18305803077')).not.toThrow();
  }
  expect(logs).toHaveLength(1);
  expect(logs[0]).toMatch(/^debug caller ID: remembered callers are off for this page/);
});

test("forgetCallers: another user's lists go, the kept one and the page's other keys stay; a refusing storage only logs", () => {
  const storage = memoryStorage();
  for (const key of [KEY, callersKey('30224233', '504142'), 'kommo-telephony/v1/lease/x', 'sandbox.user']) storage.items.set(key, '{}');
  forgetCallers(storage, logger, KEY);
  expect([...storage.items.keys()]).toEqual([KEY, 'kommo-telephony/v1/lease/x', 'sandbox.user']);
  forgetCallers(storage, logger);
  expect([...storage.items.keys()]).toEqual(['kommo-telephony/v1/lease/x', 'sandbox.user']);
  storage.items.set(KEY, '{}');
  expect(() => forgetCallers(memoryStorage({ remove: domError('SecurityError') }), logger)).not.toThrow();
  const refusing = memoryStorage({ remove: domError('SecurityError') });
  refusing.items.set(KEY, '{}');
  forgetCallers(refusing, logger);
  expect(logs).toEqual(['debug caller ID: could not clear the remembered callers']);
  expect(() => forgetCallers(undefined, logger)).not.toThrow();
});
