/**
 * The lookup with remembered callers (caller-lookup.ts + remembered.ts + caller-store.ts) over
 * real HTTP against the fixture CRM, an in-memory storage and a manual clock. A "page load" is a
 * new lookup on the same storage.
 */
import type { Logger } from '../../../src/core/logger';
import { createCallerLookup } from '../../../src/lookup';
import type { CallerLookup } from '../../../src/lookup';
import { callersKey } from '../../../src/lookup/caller-keys';
import type { CallerStorage } from '../../../src/lookup/caller-keys';
import { startCrmServer } from '../../../scripts/crm/crm-server';
import { SEED_NUMBERS } from '../../../scripts/crm/seed';
import { createManualClock, flush } from '../../support/stepped-clock';
import type { ManualClock } from '../../support/stepped-clock';
import { domError, memoryStorage } from './memory-storage';

const KEY = callersKey('30224233', '504141');
const ADAM = '+18305803077';
let server: Awaited<ReturnType<typeof startCrmServer>>;
let clock: ManualClock;
let storage: ReturnType<typeof memoryStorage>;
let lookups: CallerLookup[];
let logs: string[];
const logger: Logger = { debug: (m) => logs.push(`debug ${m}`), info() {}, warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) };

/** A page load: a fresh lookup (empty in-memory cache) on the same storage. */
function pageLoad(over: { storage?: CallerStorage; key?: string } = {}): CallerLookup {
  const lookup = createCallerLookup({
    fetch: (input, init) => fetch(input, init),
    clock,
    logger,
    origin: server.url,
    country: 'US',
    remembered: { storage: over.storage ?? storage, key: over.key ?? KEY },
    unnamed: (type, id) => `${type} #${id}`,
  });
  lookups.push(lookup);
  return lookup;
}
const byPhoneRequests = () => server.crm.requests.filter((r) => r.path === '/api/v2/search/by_phone').length;
const stored = () => JSON.parse(storage.items.get(KEY) ?? '{"callers":{}}').callers as Record<string, { at: number; card: { name: string } }>;

beforeAll(async () => {
  server = await startCrmServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.crm.reset();
  clock = createManualClock();
  storage = memoryStorage();
  lookups = [];
  logs = [];
});
afterEach(() => lookups.forEach((l) => l.dispose()));

test('after a reload a repeat caller answers from storage with no request; by_phone refreshes it 2 s later', async () => {
  await expect(pageLoad().findByNumber(SEED_NUMBERS.adamNoah)).resolves.toMatchObject({ kind: 'found', entity: { name: 'Adam Noah' } });
  expect(byPhoneRequests()).toBe(1);
  expect(stored()[ADAM]).toEqual({ at: clock.now(), card: { type: 'contact', id: 5760184, name: 'Adam Noah' } });

  await clock.advance(10 * 60_000);
  const reloaded = pageLoad();
  const result = await reloaded.findByNumber('(830) 580-3077');
  expect(result).toEqual({
    kind: 'found',
    number: expect.objectContaining({ e164: ADAM, raw: '(830) 580-3077' }),
    entity: { id: 5760184, type: 'contact', name: 'Adam Noah', url: '/contacts/detail/5760184' },
  });
  expect(byPhoneRequests()).toBe(1);
  await clock.advance(1999);
  expect(byPhoneRequests()).toBe(1);
  await clock.advance(1);
  await waitFor(() => stored()[ADAM]?.at === clock.now());
  expect(byPhoneRequests()).toBe(2);
  // The same page asks again (the completed call): the in-memory cache answers, no third request.
  await reloaded.findByNumber(SEED_NUMBERS.adamNoah);
  await clock.advance(5000);
  expect(byPhoneRequests()).toBe(2);
});

test('the refresh brings a renamed card for next time; the in-memory cache takes it at once', async () => {
  storage.items.set(KEY, JSON.stringify({ v: 1, callers: { [ADAM]: { at: clock.now() - 86_400_000, card: { type: 'contact', id: 5760184, name: 'Adam (old)' } } } }));
  const lookup = pageLoad();
  await expect(lookup.findByNumber(SEED_NUMBERS.adamNoah)).resolves.toMatchObject({ entity: { name: 'Adam (old)' } });
  await clock.advance(2000);
  await waitFor(() => stored()[ADAM]?.card.name === 'Adam Noah');
  await expect(lookup.findByNumber(SEED_NUMBERS.adamNoah)).resolves.toMatchObject({ entity: { name: 'Adam Noah' } });
  await expect(pageLoad().findByNumber(SEED_NUMBERS.adamNoah)).resolves.toMatchObject({ entity: { name: 'Adam Noah' } });
});

test('a caller remembered under a minute ago is not refreshed (another tab just asked)', async () => {
  await pageLoad().findByNumber(SEED_NUMBERS.adamNoah);
  await clock.advance(30_000);
  await pageLoad().findByNumber(SEED_NUMBERS.adamNoah);
  await clock.advance(5000);
  expect(byPhoneRequests()).toBe(1);
});

test('older than 7 days: asked of by_phone before the pop-up, as without storage', async () => {
  await pageLoad().findByNumber(SEED_NUMBERS.adamNoah);
  await clock.advance(7 * 86_400_000);
  await pageLoad().findByNumber(SEED_NUMBERS.adamNoah);
  expect(byPhoneRequests()).toBe(2);
});

test('not found is not remembered, and a refresh answering not found forgets the number', async () => {
  await expect(pageLoad().findByNumber(SEED_NUMBERS.unknown)).resolves.toMatchObject({ kind: 'not_found' });
  expect(storage.items.has(KEY)).toBe(false);
  await pageLoad().findByNumber(SEED_NUMBERS.unknown);
  expect(byPhoneRequests()).toBe(2);

  storage.items.set(KEY, JSON.stringify({ v: 1, callers: { '+12025550199': { at: clock.now() - 120_000, card: { type: 'contact', id: 1, name: 'Deleted' } } } }));
  await expect(pageLoad().findByNumber(SEED_NUMBERS.unknown)).resolves.toMatchObject({ kind: 'found', entity: { name: 'Deleted' } });
  await clock.advance(2000);
  await waitFor(() => !storage.items.has(KEY));
});

test('a failure is never remembered and a failed refresh keeps the entry', async () => {
  server.crm.setFaults({ status: 500 });
  await expect(pageLoad().findByNumber(SEED_NUMBERS.adamNoah)).resolves.toMatchObject({ kind: 'failed' });
  expect(storage.items.has(KEY)).toBe(false);

  server.crm.setFaults({});
  await pageLoad().findByNumber(SEED_NUMBERS.adamNoah);
  const saved = stored()[ADAM];
  await clock.advance(120_000);
  server.crm.setFaults({ status: 500 });
  const lookup = pageLoad();
  await expect(lookup.findByNumber(SEED_NUMBERS.adamNoah)).resolves.toMatchObject({ kind: 'found' });
  await clock.advance(2000);
  await waitFor(() => byPhoneRequests() === 3);
  await flush();
  expect(stored()[ADAM]).toEqual(saved);
});

test("another user's lookup reads nothing of this user's callers", async () => {
  await pageLoad().findByNumber(SEED_NUMBERS.adamNoah);
  await clock.advance(120_000);
  await pageLoad({ key: callersKey('30224233', '504142') }).findByNumber(SEED_NUMBERS.adamNoah);
  expect(byPhoneRequests()).toBe(2);
});

test('a storage that refuses (QuotaExceededError): lookups work as without it, one debug log', async () => {
  const full = memoryStorage({ set: domError('QuotaExceededError') });
  const lookup = pageLoad({ storage: full });
  await expect(lookup.findByNumber(SEED_NUMBERS.adamNoah)).resolves.toMatchObject({ kind: 'found' });
  await expect(lookup.findByNumber(SEED_NUMBERS.kommoCompany)).resolves.toMatchObject({ kind: 'found' });
  expect(logs.filter((l) => l.startsWith('debug'))).toHaveLength(1);
  expect(byPhoneRequests()).toBe(2);
});

test('dispose cancels a pending refresh', async () => {
  await pageLoad().findByNumber(SEED_NUMBERS.adamNoah);
  await clock.advance(120_000);
  const lookup = pageLoad();
  await lookup.findByNumber(SEED_NUMBERS.adamNoah);
  lookup.dispose();
  await clock.advance(5000);
  expect(byPhoneRequests()).toBe(1);
  expect(clock.pendingTimers).toBe(0);
});

/** Loopback HTTP takes real time; the manual clock does not move meanwhile. */
async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}
