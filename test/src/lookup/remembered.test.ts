/** Stale-while-revalidate over the remembered callers (remembered.ts): a fake by_phone, an in-memory storage, a manual clock. */
import { NetworkError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/logger';
import { createCallerStore } from '../../../src/lookup/caller-store';
import { rememberedLoads } from '../../../src/lookup/remembered';
import type { Outcome } from '../../../src/lookup/remembered';
import type { NormalizedNumber } from '../../../src/lookup/types';
import { createManualClock, flush } from '../../support/stepped-clock';
import type { ManualClock } from '../../support/stepped-clock';
import { memoryStorage } from './memory-storage';

const number: NormalizedNumber = { raw: '+1 830 580 3077', e164: '+18305803077', international: '+1 830 580 3077', digits: '18305803077', hasCountry: true };
const adam: Outcome = { kind: 'found', entity: { id: 5760184, type: 'contact', name: 'Adam Noah', url: '/contacts/detail/5760184', responsibleUserId: 7 } };
const renamed: Outcome = { kind: 'found', entity: { id: 5760184, type: 'contact', name: 'Adam N.', url: '/contacts/detail/5760184' } };

let clock: ManualClock;
let storage: ReturnType<typeof memoryStorage>;
let answers: Outcome[];
let asked: number;
let refreshed: Outcome[];

function loads() {
  return rememberedLoads({
    store: createCallerStore({ scope: { storage, key: 'k' }, clock, logger: silentLogger }),
    clock,
    refreshDelayMs: 2000,
    ask: async () => {
      asked += 1;
      return answers.shift() ?? adam;
    },
    refreshed: (_n, outcome) => refreshed.push(outcome),
  });
}

beforeEach(() => {
  clock = createManualClock();
  storage = memoryStorage();
  answers = [];
  asked = 0;
  refreshed = [];
});

test('not remembered: asked, and a found answer saved; remembered: answered without asking', async () => {
  await expect(loads().load(number)).resolves.toEqual(adam);
  expect(asked).toBe(1);
  await expect(loads().load(number)).resolves.toEqual({ kind: 'found', entity: { id: 5760184, type: 'contact', name: 'Adam Noah', url: '/contacts/detail/5760184' } });
  expect(asked).toBe(1);
  await clock.advance(10_000);
  expect(asked).toBe(1); // under a minute old when read: no refresh
});

test('stale: answered at once, one refresh after 2 s (however often it is read meanwhile), saved and handed on', async () => {
  await loads().load(number);
  await clock.advance(60_000);
  const page = loads();
  answers = [renamed];
  await expect(page.load(number)).resolves.toMatchObject({ entity: { name: 'Adam Noah' } });
  await page.load(number);
  await clock.advance(1999);
  expect(asked).toBe(1);
  await clock.advance(1);
  expect(asked).toBe(2);
  expect(refreshed).toEqual([renamed]);
  await expect(loads().load(number)).resolves.toMatchObject({ entity: { name: 'Adam N.' } });
});

test('not found forgets the number; a failure keeps it and is not handed on', async () => {
  await loads().load(number);
  await clock.advance(60_000);
  answers = [{ kind: 'failed', error: new NetworkError('GET', '/x') }];
  await loads().load(number);
  await clock.advance(2000);
  expect(refreshed).toEqual([]);
  expect(storage.items.has('k')).toBe(true);

  answers = [{ kind: 'not_found' }];
  await loads().load(number);
  await clock.advance(2000);
  expect(refreshed).toEqual([{ kind: 'not_found' }]);
  expect(storage.items.has('k')).toBe(false);
  answers = [{ kind: 'not_found' }];
  await expect(loads().load(number)).resolves.toEqual({ kind: 'not_found' });
  expect(storage.items.has('k')).toBe(false);
});

test('dispose: the refresh timer is cleared, and an answer arriving after it saves nothing', async () => {
  await loads().load(number);
  await clock.advance(60_000);
  const page = loads();
  await page.load(number);
  page.dispose();
  expect(clock.pendingTimers).toBe(0);

  let release: (o: Outcome) => void = () => undefined;
  const slow = rememberedLoads({
    store: createCallerStore({ scope: { storage, key: 'k' }, clock, logger: silentLogger }),
    clock,
    refreshDelayMs: 2000,
    ask: () => new Promise<Outcome>((resolve) => (release = resolve)),
    refreshed: (_n, outcome) => refreshed.push(outcome),
  });
  await slow.load(number);
  await clock.advance(2000);
  slow.dispose();
  const before = storage.items.get('k');
  release(renamed);
  await flush();
  expect(storage.items.get('k')).toBe(before);
  expect(refreshed).toEqual([]);
});
