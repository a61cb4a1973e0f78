/**
 * The CRM failing under the caller ID (issue 8): the fixture CRM on 127.0.0.1 answers 401, 403,
 * 429 (+Retry-After), 500, a garbage body, or hangs. The lookup must answer `failed` (never
 * throw, never `not_found`, which would offer "create contact" for a caller who may exist), and
 * the pop-up must still come within its 1.5 s budget with the number (in its header, once) and
 * what went wrong: refused (401/403), busy (429), slow (a timeout) or failed (500, garbage).
 * Time is a manual clock the lookup and notifier share; the HTTP is real.
 */
import { HttpError, ProtocolError, TimeoutError } from '../../../src/core/errors';
import type { WidgetError } from '../../../src/core/errors';
import { createCallerLookup } from '../../../src/lookup';
import type { CallerLookup, LookupResult } from '../../../src/lookup';
import { createCallNotifier, ENGLISH_NOTIFY_STRINGS as EN } from '../../../src/notify';
import type { CallNotifier } from '../../../src/notify';
import { SEED_NUMBERS, startCrmServer } from '../../../scripts/crm';
import type { CrmFaults } from '../../../scripts/crm';
import { recordingLogger } from '../feed/support';
import type { RecordingLogger } from '../feed/support';
import { createManualClock } from '../../support/stepped-clock';
import type { ManualClock } from '../../support/stepped-clock';
import { callEvent, recordingSink } from '../notify/fixtures';
import type { RecordingSink } from '../notify/fixtures';
import { waitUntil } from '../../support/wait';

/** Adam Noah is in the fixture CRM: whatever the faults hide, he exists. */
const PHONE = SEED_NUMBERS.adamNoah;
const SHOWN = '+1 830 580 3077';
const BUDGET_MS = 1500;

let server: Awaited<ReturnType<typeof startCrmServer>>;
let clock: ManualClock;
let logger: RecordingLogger;
let lookup: CallerLookup;
let sink: RecordingSink;
let notifier: CallNotifier;
const escaped: unknown[] = [];
const onEscape = (error: unknown): void => void escaped.push(error);

function setup(options: { timeoutMs?: number } = {}): void {
  lookup = createCallerLookup({
    fetch,
    clock,
    logger,
    origin: server.url,
    country: 'US',
    unnamed: (type, id) => `${type} #${id}`,
    ...options,
  });
  sink = recordingSink();
  notifier = createCallNotifier({
    lookup,
    sink,
    strings: EN,
    locale: 'en',
    clock,
    logger,
    manager: { id: '504141', name: 'Maria Silva', extension: '101' },
    mode: 'widget',
    lookupBudgetMs: BUDGET_MS,
  });
}

beforeAll(async () => {
  server = await startCrmServer();
  process.on('unhandledRejection', onEscape);
  process.on('uncaughtException', onEscape);
});
afterAll(async () => {
  process.off('unhandledRejection', onEscape);
  process.off('uncaughtException', onEscape);
  await server.close();
});
beforeEach(() => {
  server.crm.reset();
  clock = createManualClock();
  logger = recordingLogger();
  escaped.length = 0;
});
afterEach(() => {
  notifier?.dispose();
  lookup?.dispose();
  expect(escaped).toEqual([]);
  expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
});

function failedWith(result: LookupResult): WidgetError {
  if (result.kind !== 'failed') throw new Error(`expected failed, got ${result.kind}`);
  return result.error;
}

/** Rings a call through the notifier; answers the clock time it rang at. */
function ring(callId: string): number {
  notifier.handle({ kind: 'state', call: callEvent({ callId, phone: PHONE, at: clock.now() }), previous: null });
  return clock.now();
}

/** The pop-up says what went wrong (`said`), names the number once (the header), offers no new contact. */
function expectFailedPopup(said: string): void {
  expect(sink.popups).toHaveLength(1);
  const popup = sink.popups[0]!;
  expect(popup.header).toBe(`Incoming call: ${SHOWN}`);
  expect(popup.text).toBe(said);
  expect(popup.text).not.toContain(SHOWN);
  expect(popup.text).not.toContain(EN.create_contact);
  expect(popup.text).not.toContain('/contacts/add');
  expect(popup.text).not.toContain('Adam Noah');
}

test('control: without faults the same number is found, so the fault cases below are the CRM failing, not a miss', async () => {
  setup();
  await expect(lookup.findByNumber(PHONE)).resolves.toMatchObject({ kind: 'found', entity: { name: 'Adam Noah' } });
});

const FAULTS: Array<[string, CrmFaults, (error: WidgetError) => void, string]> = [
  ['401', { status: 401 }, (e) => expect(e).toEqual(expect.objectContaining({ status: 401 })), EN.lookup_forbidden],
  ['403', { status: 403 }, (e) => expect(e).toEqual(expect.objectContaining({ status: 403 })), EN.lookup_forbidden],
  ['429 with Retry-After: 30', { status: 429, retryAfterS: 30 }, (e) => expect(e).toEqual(expect.objectContaining({ status: 429, retryAfterMs: 30_000 })), EN.lookup_busy],
  ['500', { status: 500 }, (e) => expect(e).toEqual(expect.objectContaining({ status: 500, transient: true })), EN.lookup_failed],
  ['a garbage 200 body (cut-off JSON)', { garbage: true }, (e) => expect(e).toBeInstanceOf(ProtocolError), EN.lookup_failed],
];

describe.each(FAULTS)('the CRM answering %s', (_name, faults, checkError, said) => {
  test('the lookup resolves failed with the classified error: it never throws and never says not_found', async () => {
    setup();
    server.crm.setFaults(faults);
    const error = failedWith(await lookup.findByNumber(PHONE));
    if (faults.garbage) expect(error).toBeInstanceOf(ProtocolError);
    else expect(error).toBeInstanceOf(HttpError);
    checkError(error);
    expect(server.crm.requests).toHaveLength(1);
  });

  test('the pop-up comes at once, inside the 1.5 s budget, with the number, what went wrong and no create-contact link; the completed call names the number', async () => {
    setup();
    server.crm.setFaults(faults);
    const rangAt = ring('c1');
    await waitUntil('the pop-up', () => sink.popups.length === 1);
    // The answer came over real HTTP while no clock time passed: well before the budget timer.
    expect(clock.now() - rangAt).toBeLessThan(BUDGET_MS);
    expectFailedPopup(said);
    notifier.handle({ kind: 'state', call: callEvent({ callId: 'c1', phone: PHONE, state: 'ended', duration: 0 }), previous: 'ringing' });
    await waitUntil('the completed call', () => sink.calls.length === 1);
    expect(sink.calls[0]).toMatchObject({ from: SHOWN });
    expect(sink.calls[0]?.element).toBeUndefined();
    expect(sink.calls[0]?.text).not.toContain('Adam Noah');
  });
});

test('429 with Retry-After: 30: the lookups right after it fail at once without another request (the limiter holds off)', async () => {
  setup();
  server.crm.setFaults({ status: 429, retryAfterS: 30 });
  expect(failedWith(await lookup.findByNumber(PHONE))).toEqual(expect.objectContaining({ status: 429 }));
  server.crm.setFaults({});
  const next = failedWith(await lookup.findByNumber(SEED_NUMBERS.kommoCompany));
  expect(next).toEqual(expect.objectContaining({ status: 429 }));
  expect(server.crm.requests).toHaveLength(1);
  // Once Retry-After has passed, lookups go out again and find the caller.
  await clock.advance(30_000);
  await expect(lookup.findByNumber(SEED_NUMBERS.kommoCompany)).resolves.toMatchObject({ kind: 'found', entity: { name: 'Kommo' } });
});

describe('the CRM hanging (never answering)', () => {
  test('with a 500 ms lookup timeout: failed with a TimeoutError at 500 ms, and the pop-up comes then saying the CRM is slow (not that it failed)', async () => {
    setup({ timeoutMs: 500 });
    server.crm.setFaults({ hang: true });
    const direct = lookup.findByNumber(PHONE);
    const rangAt = ring('c1');
    // Both requests reached the CRM and hang there (they share one: the same number).
    await waitUntil('the request at the CRM', () => server.crm.requests.length >= 1);
    await clock.advance(499);
    expect(sink.popups).toEqual([]);
    await clock.advance(1);
    expect(failedWith(await direct)).toBeInstanceOf(TimeoutError);
    await waitUntil('the pop-up', () => sink.popups.length === 1);
    expect(clock.now() - rangAt).toBe(500);
    expectFailedPopup(EN.lookup_slow);
    expect(sink.popups[0]!.text).not.toContain(EN.lookup_failed);
  });

  test('with the production timeouts (lookup 1.5 s = budget 1.5 s): the pop-up still comes at 1.5 s with the number, "the CRM is slow" and no create-contact link', async () => {
    setup();
    server.crm.setFaults({ hang: true });
    const rangAt = ring('c1');
    await waitUntil('the request at the CRM', () => server.crm.requests.length === 1);
    await clock.advance(BUDGET_MS - 1);
    expect(sink.popups).toEqual([]);
    await clock.advance(1);
    await waitUntil('the pop-up', () => sink.popups.length === 1);
    expect(clock.now() - rangAt).toBe(BUDGET_MS);
    const popup = sink.popups[0]!;
    expect(popup.header).toBe(`Incoming call: ${SHOWN}`);
    expect(popup.text).toBe(EN.lookup_slow);
    expect(popup.text).not.toContain('/contacts/add');
    expect(popup.text).not.toContain(EN.create_contact);
    // Nothing is left waiting on the clock once the call ends (the lookup's timer was cleared too).
    notifier.handle({ kind: 'state', call: callEvent({ callId: 'c1', phone: PHONE, state: 'ended', duration: 0 }), previous: 'ringing' });
    await waitUntil('the completed call', () => sink.calls.length === 1);
    expect(clock.pendingTimers).toBe(0);
  });
});
