/**
 * A caller's name as the user sees it (issue 13): from the fixture CRM on 127.0.0.1, through the
 * real lookup and notifier, into the ringing pop-up and the completed-call notification. A name
 * over 120 characters is shortened with "…"; bidirectional controls (in a CRM name, or in what a
 * PBX sends as the number) cannot reorder either text. Time is a manual clock; the HTTP is real.
 */
import { createCallerLookup } from '../../../src/lookup';
import type { CallerLookup } from '../../../src/lookup';
import { NAME_MAX_CHARS } from '../../../src/lookup/display-name';
import { createCallNotifier, ENGLISH_NOTIFY_STRINGS as EN } from '../../../src/notify';
import type { CallNotifier } from '../../../src/notify';
import { createSeedAccount, startCrmServer } from '../../../scripts/crm';
import { recordingLogger } from '../feed/support';
import { createManualClock } from '../../support/stepped-clock';
import { waitUntil } from '../../support/wait';
import { anchors, callEvent, recordingSink } from './fixtures';
import type { RecordingSink } from './fixtures';

const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
/** "Adam Noah" with a right-to-left override that, left in, would show the rest of the line backwards. */
const SPOOFED = { phone: '+1 646 555 0152', id: 7_100_001, name: 'Adam \u202Eharon\u202C Noah\u2066' };
const LONG = { phone: '+1 646 555 0153', id: 7_100_002, name: `Lama Company ${'International '.repeat(20)}LLC` };

let server: Awaited<ReturnType<typeof startCrmServer>>;
let lookup: CallerLookup;
let sink: RecordingSink;
let notifier: CallNotifier;

beforeAll(async () => {
  const seed = createSeedAccount();
  for (const person of [SPOOFED, LONG]) seed.contacts.push({ id: person.id, name: person.name, phones: [person.phone], createdAt: 1_700_000_000, responsibleUserId: 8320148 });
  server = await startCrmServer(seed);
});
afterAll(() => server.close());
beforeEach(() => {
  const clock = createManualClock();
  const logger = recordingLogger();
  lookup = createCallerLookup({ fetch, clock, logger, origin: server.url, country: 'US', unnamed: (type, id) => `${type} #${id}` });
  sink = recordingSink();
  notifier = createCallNotifier({ lookup, sink, strings: EN, locale: 'en', clock, logger, manager: { id: '504141', name: 'Maria Silva', extension: '101' }, mode: 'widget', lookupBudgetMs: 1500 });
});
afterEach(() => {
  notifier.dispose();
  lookup.dispose();
});

/** Rings, then ends the call: the pop-up and the completed call the user gets. */
async function callFrom(phone: string) {
  notifier.handle({ kind: 'state', call: callEvent({ callId: 'c1', phone }), previous: null });
  await waitUntil('the pop-up', () => sink.popups.length === 1);
  notifier.handle({ kind: 'state', call: callEvent({ callId: 'c1', phone, state: 'ended', duration: 65 }), previous: 'ringing' });
  await waitUntil('the completed call', () => sink.calls.length === 1);
  return { popup: sink.popups[0]!, call: sink.calls[0]! };
}

test('a bidirectional override in the CRM name reaches neither the pop-up nor the completed call; the name reads as typed', async () => {
  const { popup, call } = await callFrom(SPOOFED.phone);
  expect(anchors(popup.text)).toEqual([{ href: `/contacts/detail/${SPOOFED.id}`, cls: 'js-navigate-link', label: 'Adam haron Noah' }]);
  expect(call.text.split('<br>')[0]).toBe('Incoming call from Adam haron Noah, 1:05');
  expect(call.from).toBe('Adam haron Noah');
  for (const text of [popup.header, popup.text, call.text, call.from, call.to]) expect(text).not.toMatch(BIDI_CONTROLS);
});

test(`a name over ${NAME_MAX_CHARS} characters is shortened with "…", the same in the pop-up and the completed call`, async () => {
  const { popup, call } = await callFrom(LONG.phone);
  const shown = `${LONG.name.slice(0, NAME_MAX_CHARS - 1).trimEnd()}…`;
  expect(anchors(popup.text).map((a) => a.label)).toEqual([shown]);
  expect(call.from).toBe(shown);
  expect(call.text.split('<br>')[0]).toBe(`Incoming call from ${shown}, 1:05`);
});

test('a PBX "number" with bidirectional controls is shown without them', async () => {
  const { popup, call } = await callFrom('\u202E\u2067Anonymous\u2069');
  expect(popup.header).toBe('Incoming call: Anonymous');
  expect(call.from).toBe('Anonymous');
});
