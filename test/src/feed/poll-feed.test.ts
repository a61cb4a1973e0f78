/**
 * The polling transport through createCallFeed: JSON mode against a programmable HTTP server
 * and the reference relay, script mode against the relay's /calls.js with a script loader that
 * fetches the script and runs it (node:vm) with the callbacks object as its global.
 * Time is a ManualClock; HTTP is real, on 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runInNewContext } from 'node:vm';
import { createCallFeed } from '../../../src/feed';
import type { CallChange, CallFeed, FeedStatus } from '../../../src/feed';
import { HttpError, NetworkError, ProtocolError, TimeoutError } from '../../../src/core/errors';
import { startRelay } from '../../../relay/src';
import type { RunningRelay } from '../../../relay/src';
import { FakePage, ManualClock, recordingLogger, pollCodeAtOnce } from './support';
import type { RecordingLogger } from './support';
import { waitUntil } from '../../support/wait';

const TOKEN = 'widget-token';
const PBX = 'pbx-token';
const INTERVAL = 3000;

function event(callId: string, state: string, extension = '101') {
  return { call_id: callId, state, direction: 'inbound', phone: '+14155550100', extension };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Seen {
  url: string;
  authorization: string | undefined;
  ifNoneMatch: string | undefined;
  aborted: boolean;
}

/** A poll server whose next answers the test decides. */
async function pollServer(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const entry: Seen = { url: req.url ?? '', authorization: req.headers.authorization, ifNoneMatch: req.headers['if-none-match'] as string | undefined, aborted: false };
    seen.push(entry);
    res.on('close', () => {
      if (!res.writableFinished) entry.aborted = true;
    });
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/calls`, seen };
}

interface Harness {
  feed: CallFeed;
  clock: ManualClock;
  page: FakePage;
  logger: RecordingLogger;
  changes: CallChange[];
  requests: number;
  settled: number;
  callbacks: Record<string, unknown>;
  scripts: { loaded: number; removed: number };
}

function makeFeed(url: string, options: { mode?: 'json' | 'script'; token?: string; servingOthers?: () => boolean } = {}): Harness {
  const clock = new ManualClock();
  const page = new FakePage('https:');
  const logger = recordingLogger();
  const callbacks: Record<string, unknown> = {};
  const h = { clock, page, logger, changes: [], requests: 0, settled: 0, callbacks, scripts: { loaded: 0, removed: 0 } } as unknown as Harness;
  const countingFetch: typeof fetch = (input, init) => {
    h.requests += 1;
    return fetch(input, init).finally(() => {
      h.settled += 1;
    });
  };
  /** What the platform's <script> loader does: fetch the script, run it with `callbacks` as its global. */
  const loadScript = (src: string, onError?: () => void) => {
    h.requests += 1;
    h.scripts.loaded += 1;
    let removed = false;
    fetch(src)
      .then(async (res) => {
        const text = await res.text();
        h.settled += 1;
        if (removed) return;
        if (!res.ok) return onError?.();
        runInNewContext(text, callbacks);
      })
      .catch(() => {
        h.settled += 1;
        if (!removed) onError?.();
      });
    return {
      remove() {
        removed = true;
        h.scripts.removed += 1;
      },
    };
  };
  h.feed = createCallFeed({
    transport: { kind: 'poll', url, mode: options.mode ?? 'json', intervalMs: INTERVAL },
    token: options.token ?? TOKEN,
    extensions: ['101', '102'],
    clock,
    logger,
    WebSocket: class {} as unknown as typeof WebSocket,
    pollTransport: pollCodeAtOnce,
    fetch: countingFetch,
    loadScript,
    callbacks,
    page,
    servingOthers: options.servingOthers,
    random: () => 0.5,
  });
  h.feed.on('change', (c) => h.changes.push(c));
  cleanups.push(() => h.feed.stop());
  return h;
}

const states = (h: Harness) => h.changes.map((c) => (c.kind === 'state' ? `${c.call.callId}:${c.call.state}` : `${c.call.callId}:vanished`));

/** Advances to the next poll and waits until its answer has been handled. */
async function pollOnce(h: Harness, ms = INTERVAL): Promise<void> {
  const before = h.requests;
  h.clock.advance(ms);
  expect(h.requests).toBe(before + 1);
  await waitUntil('answer handled', () => h.settled === h.requests && h.clock.pending() >= 2);
}

test('JSON mode: Bearer token, extensions, the diff of answers, ETag and 304', async () => {
  let calls: unknown[] = [event('a', 'ringing'), event('b', 'ringing', '102')];
  let version = 1;
  const server = await pollServer((req, res) => {
    const tag = `"v${version}"`;
    if (req.headers['if-none-match'] === tag) {
      res.writeHead(304, { ETag: tag });
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': 'application/json', ETag: tag });
    res.end(JSON.stringify({ calls }));
  });
  const h = makeFeed(`${server.url}?account=7`);
  h.feed.start();
  expect(h.feed.status).toEqual({ status: 'connecting', attempt: 0 });
  await waitUntil('first answer', () => h.feed.status.status === 'open');
  expect(server.seen[0]).toMatchObject({ url: '/calls?account=7&extensions=101,102&v=2', authorization: `Bearer ${TOKEN}`, ifNoneMatch: undefined });
  expect(states(h)).toEqual(['a:ringing', 'b:ringing']);

  await pollOnce(h);
  expect(server.seen[1]?.ifNoneMatch).toBe('"v1"');
  expect(h.changes).toHaveLength(2); // 304: nothing new

  calls = [event('a', 'answered'), event('c', 'ringing')];
  version = 2;
  await pollOnce(h);
  expect(states(h)).toEqual(['a:ringing', 'b:ringing', 'a:answered', 'c:ringing', 'b:vanished']);

  calls = [{ ...event('a', 'ended'), duration: 12 }, event('c', 'ringing'), event('a', 'ringing')];
  version = 3;
  await pollOnce(h);
  await pollOnce(h); // the same answer again (ended calls stay 60 s): nothing repeats
  expect(states(h).slice(5)).toEqual(['a:ended']);
  expect(h.feed.activeCalls().map((c) => c.callId)).toEqual(['c']);
  // Each request revalidates against the newest answer, not the first one.
  expect(server.seen.map((s) => s.ifNoneMatch)).toEqual([undefined, '"v1"', '"v1"', '"v2"', '"v3"']);
});

test('errors back off, doubling up to 30 s, and recover by themselves', async () => {
  let failing = true;
  const server = await pollServer((_req, res) => {
    if (failing) {
      res.writeHead(503);
      return res.end('busy');
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"calls":[]}');
  });
  const h = makeFeed(server.url);
  h.feed.start();
  const delays: number[] = [];
  for (let i = 1; i <= 5; i += 1) {
    await waitUntil(`error ${i}`, () => h.feed.status.status === 'backoff' && (h.feed.status as { attempt: number }).attempt === i && h.settled === h.requests);
    const s = h.feed.status as Extract<FeedStatus, { status: 'backoff' }>;
    expect(s.error).toBeInstanceOf(HttpError);
    delays.push(s.retryInMs);
    if (i === 5) failing = false;
    h.clock.advance(s.retryInMs - 1);
    expect(h.requests).toBe(i);
    h.clock.advance(1);
    expect(h.requests).toBe(i + 1);
  }
  expect(delays).toEqual([6000, 12_000, 24_000, 30_000, 30_000]);
  await waitUntil('recovered', () => h.feed.status.status === 'open');
  await waitUntil('scheduled', () => h.clock.pending() >= 2);
  h.clock.advance(INTERVAL);
  expect(h.requests).toBe(7);
});

test.each([
  ['20', 20_000],
  ['3600', 30_000],
  ['soon', 6000],
])('Retry-After %j on a 429 is obeyed within the 30 s cap: waits %d ms', async (header, ms) => {
  const server = await pollServer((_req, res) => {
    res.writeHead(429, { 'Retry-After': header });
    res.end();
  });
  const h = makeFeed(server.url);
  h.feed.start();
  await waitUntil('backoff', () => h.feed.status.status === 'backoff');
  expect(h.feed.status).toMatchObject({ status: 'backoff', attempt: 1, retryInMs: ms });
});

test('a 404 is not retried like a 503: the next request comes 5 minutes later, and the status says which error', async () => {
  const server = await pollServer((_req, res) => {
    res.writeHead(404, { 'Retry-After': '1' });
    res.end('no such feed');
  });
  const h = makeFeed(server.url);
  h.feed.start();
  await waitUntil('backoff', () => h.feed.status.status === 'backoff' && h.settled === 1);
  const s = h.feed.status as Extract<FeedStatus, { status: 'backoff' }>;
  expect(s).toMatchObject({ attempt: 1, retryInMs: 300_000 });
  expect(s.error).toBeInstanceOf(HttpError);
  expect(s.error).toMatchObject({ status: 404, transient: false });
  h.clock.advance(299_999);
  expect(h.requests).toBe(1);
  h.clock.advance(1);
  expect(h.requests).toBe(2);
});

test('a stalled request is aborted after 10 s and counts as an error', async () => {
  const server = await pollServer(() => {
    /* never answers */
  });
  const h = makeFeed(server.url);
  h.feed.start();
  await waitUntil('request arrived', () => server.seen.length === 1);
  h.clock.advance(9_999);
  expect(h.feed.status.status).toBe('connecting');
  h.clock.advance(1);
  expect(h.feed.status).toMatchObject({ status: 'backoff', attempt: 1, retryInMs: INTERVAL });
  expect((h.feed.status as Extract<FeedStatus, { status: 'backoff' }>).error).toBeInstanceOf(TimeoutError);
  await waitUntil('server saw the abort', () => server.seen[0]?.aborted === true);
});

test('an unreachable poll URL backs off with a NetworkError; online again polls at once', async () => {
  const server = await pollServer((_req, res) => res.end('{"calls":[]}'));
  const url = server.url;
  await cleanups.pop()?.(); // close it: nothing listens there now
  const h = makeFeed(url);
  h.feed.start();
  await waitUntil('backoff', () => h.feed.status.status === 'backoff');
  expect((h.feed.status as Extract<FeedStatus, { status: 'backoff' }>).error).toBeInstanceOf(NetworkError);
  h.page.goOnline();
  expect(h.requests).toBe(2);
});

test('401 twice (the credential renewed in between) closes the feed as unauthorized: no more requests', async () => {
  const server = await pollServer((_req, res) => {
    res.writeHead(401, { 'Content-Type': 'application/json' });
    res.end('{"error":"unauthorized"}');
  });
  const h = makeFeed(server.url);
  h.feed.start();
  await waitUntil('closed', () => h.feed.status.status === 'closed');
  expect(h.feed.status).toEqual({ status: 'closed', reason: 'unauthorized' });
  h.page.goOnline();
  h.clock.advance(10 * 60_000);
  expect(server.seen).toHaveLength(2);
});

test('403 closes the feed as forbidden at once', async () => {
  const server = await pollServer((_req, res) => {
    res.writeHead(403, { 'Content-Type': 'application/json' });
    res.end('{"error":"forbidden_extension","extensions":["101"]}');
  });
  const h = makeFeed(server.url);
  h.feed.start();
  await waitUntil('closed', () => h.feed.status.status === 'closed');
  expect(h.feed.status).toEqual({ status: 'closed', reason: 'forbidden' });
  expect(server.seen).toHaveLength(1);
});

test('bad answers (not JSON, wrong shape, invalid events) are logged once per kind and never thrown', async () => {
  const bodies = ['<html>oops</html>', '<html>again</html>', '{"calls":{}}', JSON.stringify({ calls: [{ ...event('x', 'ringing'), state: 'held' }, event('y', 'ringing')] })];
  const server = await pollServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(bodies.shift() ?? '{"calls":[]}');
  });
  const h = makeFeed(server.url);
  h.feed.start();
  for (let i = 1; i <= 3; i += 1) {
    await waitUntil(`bad answer ${i}`, () => h.feed.status.status === 'backoff' && (h.feed.status as { attempt: number }).attempt === i && h.settled === h.requests);
    // A body outside the protocol will not fix itself in seconds: the long retry, not the doubling.
    const s = h.feed.status as Extract<FeedStatus, { status: 'backoff' }>;
    expect(s.error).toBeInstanceOf(ProtocolError);
    expect(s.retryInMs).toBe(300_000);
    h.clock.advance(s.retryInMs);
  }
  await waitUntil('good answer', () => h.feed.status.status === 'open');
  expect(states(h)).toEqual(['y:ringing']);
  expect(h.logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
    'feed: dropped (poll:not_json)',
    'feed: dropped (poll:calls_not_a_list)',
    'feed: dropped (event:state)',
  ]);
});

test('a hidden tab polls at a quarter of the rate, and catches up when visible again', async () => {
  const server = await pollServer((_req, res) => res.end('{"calls":[]}'));
  const h = makeFeed(server.url);
  h.page.visible = false;
  h.feed.start();
  await waitUntil('first answer', () => h.feed.status.status === 'open' && h.clock.pending() >= 2);
  h.clock.advance(INTERVAL * 3);
  expect(h.requests).toBe(1);
  h.clock.advance(INTERVAL);
  expect(h.requests).toBe(2);
  await waitUntil('answer', () => h.settled === 2 && h.clock.pending() >= 2);
  h.clock.advance(INTERVAL * 2);
  h.page.setVisible(true); // already waited two intervals: poll now
  expect(h.requests).toBe(3);
});

test('a hidden tab that serves the other tabs keeps the full rate', async () => {
  const server = await pollServer((_req, res) => res.end('{"calls":[]}'));
  const h = makeFeed(server.url, { servingOthers: () => true });
  h.page.visible = false;
  h.feed.start();
  await waitUntil('first answer', () => h.feed.status.status === 'open' && h.clock.pending() >= 2);
  h.clock.advance(INTERVAL);
  expect(h.requests).toBe(2);
});

describe('script mode against the reference relay', () => {
  let relay: RunningRelay;
  beforeEach(async () => {
    relay = await startRelay({ token: TOKEN, pbxToken: PBX, port: 0 });
    cleanups.push(() => relay.close());
  });

  test('NAME({...}) answers feed the diff; each callback and script is removed after its answer', async () => {
    relay.relay.publish({ callId: 'a', state: 'ringing', direction: 'inbound', phone: '+1', extension: '101', at: 0 });
    const h = makeFeed(`${relay.url}/calls.js`, { mode: 'script' });
    h.feed.start();
    expect(Object.keys(h.callbacks)).toHaveLength(1);
    expect(Object.keys(h.callbacks)[0]).toMatch(/^[A-Za-z_$][\w$]*$/);
    await waitUntil('first answer', () => h.feed.status.status === 'open');
    expect(states(h)).toEqual(['a:ringing']);
    expect(h.callbacks).toEqual({});
    expect(h.scripts).toEqual({ loaded: 1, removed: 1 });

    relay.relay.publish({ callId: 'a', state: 'ended', direction: 'inbound', phone: '+1', extension: '101', at: 0, duration: 3 });
    const names = new Set<string>();
    for (let i = 0; i < 3; i += 1) {
      h.clock.advance(INTERVAL);
      for (const name of Object.keys(h.callbacks)) names.add(name);
      await waitUntil('answer', () => h.settled === h.requests && Object.keys(h.callbacks).length === 0);
    }
    expect(names.size).toBe(3); // a fresh name per request
    expect(states(h)).toEqual(['a:ringing', 'a:ended']);
    expect(h.scripts).toEqual({ loaded: 4, removed: 4 });
  });

  test('a wrong token is answered in the payload: closed unauthorized', async () => {
    const h = makeFeed(`${relay.url}/calls.js`, { mode: 'script', token: 'nope' });
    h.feed.start();
    await waitUntil('closed', () => h.feed.status.status === 'closed');
    expect(h.feed.status).toEqual({ status: 'closed', reason: 'unauthorized' });
    expect(h.callbacks).toEqual({});
  });

  test('a script that never calls back times out; its name stays a no-op until the next answer', async () => {
    const server = await pollServer(() => {
      /* the script never arrives */
    });
    const h = makeFeed(server.url.replace('/calls', '/calls.js'), { mode: 'script' });
    h.feed.start();
    const [stale] = Object.keys(h.callbacks);
    h.clock.advance(10_000);
    expect(h.feed.status).toMatchObject({ status: 'backoff', error: expect.any(TimeoutError) });
    expect(Object.keys(h.callbacks)).toEqual([stale]);
    expect(() => (h.callbacks[stale as string] as (x: unknown) => void)({ calls: [] })).not.toThrow();
    expect(h.scripts.removed).toBe(1);
    h.feed.stop();
    expect(h.callbacks).toEqual({});
  });

  test('script mode without a loader is a config problem, not a crash', () => {
    const feed = createCallFeed({
      transport: { kind: 'poll', url: `${relay.url}/calls.js`, mode: 'script', intervalMs: INTERVAL },
      token: TOKEN,
      extensions: ['101'],
      clock: new ManualClock(),
      logger: recordingLogger(),
      WebSocket: class {} as unknown as typeof WebSocket,
      pollTransport: pollCodeAtOnce,
      fetch,
      page: new FakePage(),
    });
    feed.start();
    expect(feed.status).toEqual({ status: 'closed', reason: 'config' });
    feed.stop();
  });
});
