/**
 * lookup.peek (caller-lookup.ts): what findByNumber would answer without waiting, read
 * synchronously, over real HTTP against the fixture CRM with a manual clock.
 */
import { silentLogger } from '../../../src/core/logger';
import { createCallerLookup } from '../../../src/lookup';
import type { CallerLookup } from '../../../src/lookup';
import { callersKey } from '../../../src/lookup/caller-keys';
import { startCrmServer } from '../../../scripts/crm/crm-server';
import { SEED_NUMBERS } from '../../../scripts/crm/seed';
import { createManualClock } from '../../support/stepped-clock';
import type { ManualClock } from '../../support/stepped-clock';
import { memoryStorage } from './memory-storage';

const KEY = callersKey('30224233', '504141');
let server: Awaited<ReturnType<typeof startCrmServer>>;
let clock: ManualClock;
let storage: ReturnType<typeof memoryStorage>;
let lookups: CallerLookup[];

function lookupWith(remembered: boolean): CallerLookup {
  const lookup = createCallerLookup({
    fetch: (input, init) => fetch(input, init),
    clock,
    logger: silentLogger,
    origin: server.url,
    country: 'US',
    ...(remembered ? { remembered: { storage, key: KEY } } : {}),
    unnamed: (type, id) => `${type} #${id}`,
  });
  lookups.push(lookup);
  return lookup;
}
const byPhoneRequests = () => server.crm.requests.filter((r) => r.path === '/api/v2/search/by_phone').length;

beforeAll(async () => {
  server = await startCrmServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.crm.reset();
  clock = createManualClock();
  storage = memoryStorage();
  lookups = [];
});
afterEach(() => lookups.forEach((l) => l.dispose()));

test('nothing cached: undefined and no request; once answered, the cached caller at once until the cache expires', async () => {
  const lookup = lookupWith(false);
  expect(lookup.peek?.(SEED_NUMBERS.adamNoah)).toBeUndefined();
  expect(byPhoneRequests()).toBe(0);
  await lookup.findByNumber(SEED_NUMBERS.adamNoah);
  expect(lookup.peek?.('(830) 580-3077')).toEqual({
    kind: 'found',
    number: expect.objectContaining({ e164: '+18305803077', raw: '(830) 580-3077' }),
    entity: expect.objectContaining({ id: 5760184, type: 'contact', name: 'Adam Noah', url: '/contacts/detail/5760184' }),
  });
  await clock.advance(60_000);
  expect(lookup.peek?.(SEED_NUMBERS.adamNoah)).toBeUndefined();
  expect(byPhoneRequests()).toBe(1);
});

test('an extension or a non-number is answered at once; nothing after dispose', () => {
  const lookup = lookupWith(false);
  expect(lookup.peek?.('101')).toEqual({ kind: 'internal', extension: '101' });
  expect(lookup.peek?.('hello')).toMatchObject({ kind: 'invalid' });
  lookup.dispose();
  expect(lookup.peek?.('101')).toBeUndefined();
});

test('a remembered caller after a reload: at once, and by_phone still refreshes it 2 s later', async () => {
  await lookupWith(true).findByNumber(SEED_NUMBERS.adamNoah);
  await clock.advance(10 * 60_000);
  const reloaded = lookupWith(true);
  expect(reloaded.peek?.(SEED_NUMBERS.adamNoah)).toMatchObject({ kind: 'found', entity: { name: 'Adam Noah' } });
  expect(byPhoneRequests()).toBe(1);
  // The completed call's findByNumber is answered from memory, with no second refresh.
  await expect(reloaded.findByNumber(SEED_NUMBERS.adamNoah)).resolves.toMatchObject({ kind: 'found' });
  await clock.advance(2000);
  for (let i = 0; i < 200 && byPhoneRequests() < 2; i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(byPhoneRequests()).toBe(2);
  await clock.advance(5000);
  expect(byPhoneRequests()).toBe(2);
});
