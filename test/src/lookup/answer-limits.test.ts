/**
 * What the lookup accepts from by_phone (issue 13): an answer over 256 KB is a failed lookup with
 * a log line, read no further than that; a name comes back display-ready (at most 120 characters,
 * no bidirectional controls). Real HTTP against the fixture CRM on 127.0.0.1 (seeded with the
 * names under test), and a fetch whose body stream counts what was pulled from it.
 */
import { ProtocolError } from '../../../src/core/errors';
import { createCallerLookup } from '../../../src/lookup';
import type { CallerLookup, LookupResult } from '../../../src/lookup';
import { NAME_MAX_CHARS } from '../../../src/lookup/display-name';
import { createSeedAccount, startCrmServer } from '../../../scripts/crm';
import { recordingLogger } from '../feed/support';
import type { RecordingLogger } from '../feed/support';
import { createManualClock } from '../../support/stepped-clock';

const LIMIT = 256 * 1024;
const HUGE = { phone: '+1 646 555 0142', name: 'Huge '.repeat(60_000) }; // 300 000 characters: a body over 256 KB
const LONG = { phone: '+1 646 555 0143', name: `Long ${'x'.repeat(100_000)}` }; // a body under 256 KB, a name over 120
const BIDI = { phone: '+1 646 555 0144', name: '\u202Eevil\u202C \u2067Adam\u2069 \u200FNoah\u200E\u061C' };

let server: Awaited<ReturnType<typeof startCrmServer>>;
let logger: RecordingLogger;
let lookup: CallerLookup;

function makeLookup(fetchImpl: typeof fetch = fetch): CallerLookup {
  return createCallerLookup({ fetch: fetchImpl, clock: createManualClock(), logger, origin: server.url, country: 'US', unnamed: (type, id) => `${type} #${id}` });
}

beforeAll(async () => {
  const seed = createSeedAccount();
  for (const [i, person] of [HUGE, LONG, BIDI].entries()) {
    seed.contacts.push({ id: 7_000_000 + i, name: person.name, phones: [person.phone], createdAt: 1_700_000_000, responsibleUserId: 8320148 });
  }
  server = await startCrmServer(seed);
});
afterAll(() => server.close());
beforeEach(() => {
  server.crm.reset();
  logger = recordingLogger();
  lookup = makeLookup();
});
afterEach(() => lookup.dispose());

const failedWith = (r: LookupResult) => {
  if (r.kind !== 'failed') throw new Error(`expected failed, got ${r.kind}`);
  return r.error;
};
const nameOf = (r: LookupResult) => {
  if (r.kind !== 'found') throw new Error(`expected found, got ${r.kind}`);
  return r.entity.name;
};

/** A 200 whose body is an endless JSON string, in 16 KB chunks, without Content-Length; counts what was pulled. */
function endlessBody(): { fetch: typeof fetch; pulled: () => number; cancelled: () => boolean } {
  let pulled = 0;
  let cancelled = false;
  const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
  const fetchImpl: typeof fetch = async () => {
    let first = true;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const bytes = first ? new TextEncoder().encode('{"_embedded": {"items": [{"id": 1, "type": 1, "name": "') : chunk;
        first = false;
        pulled += bytes.byteLength;
        controller.enqueue(bytes);
      },
      cancel() {
        cancelled = true;
      },
    });
    return new Response(stream, { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  return { fetch: fetchImpl, pulled: () => pulled, cancelled: () => cancelled };
}

describe('an answer over 256 KB', () => {
  test('from the CRM (a 300 KB answer): a failed lookup with a ProtocolError, and one warning that names the size', async () => {
    const error = failedWith(await lookup.findByNumber(HUGE.phone));
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toMatch(/^by_phone answered \d+ bytes or more, over the 262144-byte limit$/);
    expect(Number(error.context.bytes)).toBeGreaterThan(LIMIT);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([`caller ID: ${error.message}`]);
    expect(server.crm.requests).toHaveLength(1);
  });

  test('control: the same CRM answers a 100 KB body (under the limit) and the caller is found', async () => {
    await expect(lookup.findByNumber(LONG.phone)).resolves.toMatchObject({ kind: 'found', entity: { id: 7_000_001 } });
  });

  test('an endless body without Content-Length: failed once 256 KB are read, the stream cancelled, no more than two chunks read past the limit', async () => {
    const body = endlessBody();
    lookup.dispose();
    lookup = makeLookup(body.fetch);
    const error = failedWith(await lookup.findByNumber('+1 830 580 3077'));
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toContain('over the 262144-byte limit');
    expect(body.cancelled()).toBe(true);
    expect(body.pulled()).toBeGreaterThan(LIMIT);
    // The chunk that crossed the limit, and the one the stream holds ahead of the reader (its high-water mark).
    expect(body.pulled()).toBeLessThanOrEqual(LIMIT + 3 * 16 * 1024);
  });

  test('a body without a stream (the text only): its length decides', async () => {
    const big = JSON.stringify({ _embedded: { items: [{ id: 1, type: 1, name: 'y'.repeat(LIMIT) }] } });
    const textOnly: typeof fetch = async () => {
      const response = new Response(null, { status: 200 });
      Object.defineProperty(response, 'text', { value: async () => big });
      return response;
    };
    lookup.dispose();
    lookup = makeLookup(textOnly);
    const error = failedWith(await lookup.findByNumber('+1 830 580 3077'));
    expect(error.message).toBe(`by_phone answered ${big.length} bytes or more, over the 262144-byte limit`);
  });
});

describe('names come back display-ready', () => {
  test(`a name over ${NAME_MAX_CHARS} characters is cut to ${NAME_MAX_CHARS}, the last one "…"`, async () => {
    const name = nameOf(await lookup.findByNumber(LONG.phone));
    expect(Array.from(name)).toHaveLength(NAME_MAX_CHARS);
    expect(name).toBe(`${LONG.name.slice(0, NAME_MAX_CHARS - 1)}…`);
  });

  test('bidirectional controls are removed; the letters stay in their order', async () => {
    expect(nameOf(await lookup.findByNumber(BIDI.phone))).toBe('evil Adam Noah');
  });
});
