/**
 * findByNumber over real HTTP against the fixture CRM on 127.0.0.1. Time is a manual clock
 * handed to the lookup (Node's own timers, which the HTTP stack uses, stay real).
 */
import { HttpError, NetworkError, ProtocolError, TimeoutError } from '../../../src/core/errors';
import type { Logger } from '../../../src/core/logger';
import { createCallerLookup } from '../../../src/lookup';
import type { CallerLookup, LookupResult } from '../../../src/lookup';
import { startCrmServer } from '../../../scripts/crm/crm-server';
import { SEED_NUMBERS } from '../../../scripts/crm/seed';
import { createManualClock } from '../../support/stepped-clock';
import type { ManualClock } from '../../support/stepped-clock';
import { waitUntil } from '../../support/wait';

let server: Awaited<ReturnType<typeof startCrmServer>>;
let clock: ManualClock;
let lookup: CallerLookup;
let logs: Array<{ level: string; message: string }>;
/** What the code under test handed to fetch, with the manual clock's time. */
let sent: Array<{ url: string; at: number; init: RequestInit | undefined }>;

const logger: Logger = {
  debug: (message) => logs.push({ level: 'debug', message }),
  info: (message) => logs.push({ level: 'info', message }),
  warn: (message) => logs.push({ level: 'warn', message }),
  error: (message) => logs.push({ level: 'error', message }),
};

function makeLookup(overrides: Partial<Parameters<typeof createCallerLookup>[0]> = {}): CallerLookup {
  return createCallerLookup({
    fetch: (input, init) => {
      sent.push({ url: String(input), at: clock.now(), init });
      return fetch(input, init);
    },
    clock,
    logger,
    origin: server.url,
    country: 'US',
    unnamed: (type, id) => (type === 'lead' ? `Lead #${id}` : `Customer #${id}`),
    ...overrides,
  });
}

beforeAll(async () => {
  server = await startCrmServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.crm.reset();
  clock = createManualClock();
  logs = [];
  sent = [];
  lookup = makeLookup();
});
afterEach(() => lookup.dispose());

const failedWith = (r: LookupResult) => {
  if (r.kind !== 'failed') throw new Error(`expected failed, got ${r.kind}`);
  return r.error;
};

describe('found', () => {
  test('a contact: name, card URL, the number in international form; one GET with phone and query as digits', async () => {
    const r = await lookup.findByNumber('+1 (830) 580-3077');
    expect(r).toEqual({
      kind: 'found',
      number: { raw: '+1 (830) 580-3077', e164: '+18305803077', international: '+1 830 580 3077', digits: '18305803077', hasCountry: true },
      entity: { id: 5760184, type: 'contact', name: 'Adam Noah', url: '/contacts/detail/5760184', responsibleUserId: 8320148 },
    });
    expect(server.crm.requests).toEqual([
      { method: 'GET', path: '/api/v2/search/by_phone', query: { phone: '18305803077', query: '18305803077' }, at: expect.any(Number) },
    ]);
    expect(sent[0]?.init).toMatchObject({ method: 'GET', credentials: 'include' });
  });

  test('a lead with its company, and an unnamed lead/customer named in the user language', async () => {
    await expect(lookup.findByNumber(SEED_NUMBERS.lamaCompany)).resolves.toMatchObject({
      kind: 'found',
      entity: { type: 'lead', name: 'First patch', url: '/leads/detail/5102790' },
      phoneEntity: { type: 'company', name: 'Lama Company', url: '/companies/detail/6811297' },
    });
    await expect(lookup.findByNumber(SEED_NUMBERS.unnamedLead)).resolves.toMatchObject({ entity: { name: 'Lead #5102801' } });
    await expect(lookup.findByNumber(SEED_NUMBERS.unnamedCustomer)).resolves.toMatchObject({
      entity: { type: 'customer', name: 'Customer #3971', url: '/customers/detail/3971' },
      phoneEntity: { type: 'contact', name: 'Maria Garcia' },
    });
  });

  test('a broken i18n callback does not cost the pop-up: the lead is named #ID', async () => {
    lookup.dispose();
    lookup = makeLookup({ unnamed: () => { throw new Error('no such key'); } });
    await expect(lookup.findByNumber(SEED_NUMBERS.unnamedLead)).resolves.toMatchObject({ kind: 'found', entity: { name: '#5102801' } });
  });

  test('a national number with the trunk prefix, country setting RU', async () => {
    lookup.dispose();
    lookup = makeLookup({ country: 'RU' });
    await expect(lookup.findByNumber('8 (495) 123-45-67')).resolves.toMatchObject({
      kind: 'found',
      number: { e164: '+74951234567' },
      entity: { type: 'company', name: 'Romashka LLC' },
    });
  });

  test('the same number with the trunk 8 and country US: not read as Vietnam\'s +84, looked up by the digits as sent, still found', async () => {
    const r = await lookup.findByNumber('84951234567');
    expect(r).toMatchObject({
      kind: 'found',
      number: { raw: '84951234567', international: '84951234567', digits: '84951234567', hasCountry: false },
      entity: { name: 'Romashka LLC' },
    });
    expect(server.crm.requests.map((q) => q.query)).toEqual([{ phone: '84951234567', query: '84951234567' }]);
  });
  test.each([[undefined], [''], ['XX']])('the same digits with no default country (%j): shown as typed, not as a +84 number, looked up by them, still found', async (country) => {
    lookup.dispose();
    lookup = makeLookup({ country });
    const r = await lookup.findByNumber('8 495 123 45 67');
    expect(r).toMatchObject({
      kind: 'found',
      number: { raw: '8 495 123 45 67', international: '84951234567', digits: '84951234567', hasCountry: false },
      entity: { name: 'Romashka LLC' },
    });
    expect(server.crm.requests.map((q) => q.query)).toEqual([{ phone: '84951234567', query: '84951234567' }]);
  });
});

describe('not found and no lookup', () => {
  test('204: not found, carrying the number', async () => {
    await expect(lookup.findByNumber(SEED_NUMBERS.unknown)).resolves.toEqual({
      kind: 'not_found',
      number: { raw: SEED_NUMBERS.unknown, e164: '+12025550199', international: '+1 202 555 0199', digits: '12025550199', hasCountry: true },
    });
  });

  test.each([['empty_items'], ['empty_array']] as const)('200 with %s: not found', async (noMatch) => {
    server.crm.setFaults({ noMatch });
    await expect(lookup.findByNumber(SEED_NUMBERS.unknown)).resolves.toMatchObject({ kind: 'not_found' });
    expect(server.crm.requests).toHaveLength(1);
  });

  test('extensions and garbage send nothing', async () => {
    await expect(lookup.findByNumber('101')).resolves.toEqual({ kind: 'internal', extension: '101' });
    await expect(lookup.findByNumber('Anonymous')).resolves.toEqual({ kind: 'invalid', raw: 'Anonymous' });
    await expect(lookup.findByNumber('')).resolves.toEqual({ kind: 'invalid', raw: '' });
    await expect(lookup.findByNumber('7'.repeat(200))).resolves.toMatchObject({ kind: 'invalid' });
    expect(server.crm.requests).toHaveLength(0);
  });
});

describe('failures are results, not exceptions', () => {
  test('401: failed with HttpError 401', async () => {
    server.crm.setFaults({ status: 401 });
    const error = failedWith(await lookup.findByNumber(SEED_NUMBERS.adamNoah));
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(401);
  });

  test('403: failed, and logged once however many calls', async () => {
    server.crm.setFaults({ status: 403 });
    for (const n of [SEED_NUMBERS.adamNoah, SEED_NUMBERS.kommoCompany, SEED_NUMBERS.lamaCompany]) {
      expect((failedWith(await lookup.findByNumber(n)) as HttpError).status).toBe(403);
    }
    expect(server.crm.requests).toHaveLength(3);
    expect(logs.filter((l) => l.message.includes('403'))).toHaveLength(1);
  });

  test('500: failed with a transient HttpError, not cached: the next call asks again', async () => {
    server.crm.setFaults({ status: 500 });
    const error = failedWith(await lookup.findByNumber(SEED_NUMBERS.adamNoah));
    expect(error).toMatchObject({ status: 500, transient: true });
    server.crm.setFaults({});
    await expect(lookup.findByNumber(SEED_NUMBERS.adamNoah)).resolves.toMatchObject({ kind: 'found' });
    expect(server.crm.requests).toHaveLength(2);
  });

  test('garbage JSON: failed with ProtocolError', async () => {
    server.crm.setFaults({ garbage: true });
    expect(failedWith(await lookup.findByNumber(SEED_NUMBERS.adamNoah))).toBeInstanceOf(ProtocolError);
  });

  test('nothing listening: failed with NetworkError', async () => {
    const gone = await startCrmServer();
    const url = gone.url;
    await gone.close();
    lookup.dispose();
    lookup = makeLookup({ origin: url });
    expect(failedWith(await lookup.findByNumber(SEED_NUMBERS.adamNoah))).toBeInstanceOf(NetworkError);
  });

  test('a hanging server: failed with TimeoutError after exactly timeoutMs (1500 by default)', async () => {
    server.crm.setFaults({ hang: true });
    let result: LookupResult | undefined;
    void lookup.findByNumber(SEED_NUMBERS.adamNoah).then((r) => (result = r));
    await clock.advance(0);
    expect(sent).toHaveLength(1);
    await clock.advance(1499);
    expect(result).toBeUndefined();
    await clock.advance(1);
    // The abort is real I/O: wait for the promise itself, no clock time passes.
    await waitUntil('the aborted lookup settles', () => result !== undefined);
    const error = failedWith(result as LookupResult);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).ms).toBe(1500);
  });

  test('429 with Retry-After: failed with it, and the limiter holds later lookups until it passes', async () => {
    server.crm.setFaults({ status: 429, retryAfterS: 2 });
    const error = failedWith(await lookup.findByNumber(SEED_NUMBERS.adamNoah));
    expect(error).toMatchObject({ status: 429, retryAfterMs: 2000 });
    server.crm.setFaults({});

    let later: LookupResult | undefined;
    void lookup.findByNumber(SEED_NUMBERS.kommoCompany).then((r) => (later = r));
    await clock.advance(1999);
    expect(sent).toHaveLength(1);
    expect(later).toBeUndefined();
    await clock.advance(1);
    expect(sent).toHaveLength(2);
    await waitUntil('the held lookup settles', () => later !== undefined);
    expect(later).toMatchObject({ kind: 'found', entity: { name: 'Kommo' } });
  });

  test('429 with a Retry-After longer than the queue budget: later lookups fail at once without a request', async () => {
    server.crm.setFaults({ status: 429, retryAfterS: 30 });
    await lookup.findByNumber(SEED_NUMBERS.adamNoah);
    server.crm.setFaults({});
    const error = failedWith(await lookup.findByNumber(SEED_NUMBERS.kommoCompany));
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(429);
    expect((error as HttpError).retryAfterMs).toBe(30_000);
    expect(server.crm.requests).toHaveLength(1);
  });

  test('a Retry-After of an hour holds the limiter 5 minutes (the cap), not one second more', async () => {
    server.crm.setFaults({ status: 429, retryAfterS: 3600 });
    const startedAt = clock.now();
    const error = failedWith(await lookup.findByNumber(SEED_NUMBERS.adamNoah));
    expect(error).toMatchObject({ status: 429, retryAfterMs: 300_000 });
    server.crm.setFaults({});

    // Its 5 s queue budget ends 1 ms before the pause does: it fails at once, no request.
    await clock.advance(300_000 - 5000 - 1 - (clock.now() - startedAt));
    expect(failedWith(await lookup.findByNumber(SEED_NUMBERS.kommoCompany))).toMatchObject({ status: 429 });
    expect(sent).toHaveLength(1);

    // Started 4999 ms before the pause ends: it waits, and goes out the moment the 5 minutes are over.
    await clock.advance(2);
    let later: LookupResult | undefined;
    void lookup.findByNumber(SEED_NUMBERS.kommoCompany).then((r) => (later = r));
    await clock.advance(4998);
    expect(sent).toHaveLength(1);
    await clock.advance(1);
    await waitUntil('the held lookup is sent', () => sent.length === 2);
    expect(sent[1]?.at).toBe(startedAt + 300_000);
    await waitUntil('the held lookup settles', () => later !== undefined);
    expect(later).toMatchObject({ kind: 'found' });
  });

  test('dispose: a pending lookup resolves failed, later ones too, nothing throws', async () => {
    server.crm.setFaults({ hang: true });
    const pending = lookup.findByNumber(SEED_NUMBERS.adamNoah);
    await clock.advance(0);
    lookup.dispose();
    expect(failedWith(await pending)).toBeInstanceOf(NetworkError);
    expect(failedWith(await lookup.findByNumber(SEED_NUMBERS.kommoCompany))).toBeInstanceOf(NetworkError);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('cost control', () => {
  test('found and not-found results are cached 60 s per normalised number', async () => {
    await lookup.findByNumber('+1 830 580 3077');
    await lookup.findByNumber(SEED_NUMBERS.unknown);
    const again = await lookup.findByNumber('(830) 580-3077');
    await lookup.findByNumber('+1-202-555-0199');
    expect(again).toMatchObject({ kind: 'found', number: { raw: '(830) 580-3077' }, entity: { name: 'Adam Noah' } });
    expect(server.crm.requests).toHaveLength(2);

    await clock.advance(59_999);
    await lookup.findByNumber('18305803077');
    expect(server.crm.requests).toHaveLength(2);
    await clock.advance(1);
    await lookup.findByNumber('18305803077');
    await lookup.findByNumber(SEED_NUMBERS.unknown);
    expect(server.crm.requests).toHaveLength(4);
  });

  test('concurrent lookups of one number share one request', async () => {
    const results = await Promise.all(['+1 830 580 3077', '18305803077', '(830) 580-3077', '001 830 580 3077', '830.580.3077'].map((n) => lookup.findByNumber(n)));
    expect(server.crm.requests).toHaveLength(1);
    expect(results.map((r) => r.kind === 'found' && r.entity.name)).toEqual(Array(5).fill('Adam Noah'));
    expect(results.map((r) => r.kind === 'found' && r.number.raw)).toEqual(['+1 830 580 3077', '18305803077', '(830) 580-3077', '001 830 580 3077', '830.580.3077']);
  });

  test('20 distinct numbers at once: at most 7 sent in any 1 s window, in call order, all answered', async () => {
    const numbers = Array.from({ length: 20 }, (_, i) => `+1 830 555 ${String(1000 + i)}`);
    let settled = 0;
    const all = Promise.all(numbers.map((n) => lookup.findByNumber(n).finally(() => (settled += 1))));
    // Each step lets the answers already sent arrive (real I/O) before the clock moves on, so
    // no request outlives its 1.5 s budget on the manual clock.
    const answered = () => waitUntil('the sent lookups are answered', () => settled === sent.length);
    await clock.advance(0);
    expect(sent).toHaveLength(7);
    await answered();
    await clock.advance(999);
    expect(sent).toHaveLength(7);
    await clock.advance(1);
    expect(sent).toHaveLength(14);
    await answered();
    await clock.advance(1000);
    const results = await all;
    expect(results.every((r) => r.kind === 'not_found')).toBe(true);
    expect(sent.map((s) => new URL(s.url).searchParams.get('phone'))).toEqual(numbers.map((n) => n.replace(/\D/g, '')));
    const times = sent.map((s) => s.at);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(7);
    expect(server.crm.requests).toHaveLength(20);
  });
});
