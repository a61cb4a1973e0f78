/**
 * The WebSocket transport through createCallFeed, against the real reference relay and raw `ws`
 * servers on 127.0.0.1. Time is a ManualClock the test advances; sockets are real.
 */
import { WebSocket as WsWebSocket, WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { createCallFeed } from '../../../src/feed';
import type { CallChange, CallFeed, FeedStatus } from '../../../src/feed';
import { ProtocolError, TimeoutError } from '../../../src/core/errors';
import { startRelay } from '../../../relay/src';
import type { RunningRelay } from '../../../relay/src';
import { FakePage, ManualClock, recordingLogger } from './support';
import type { RecordingLogger } from './support';
import { waitUntil } from '../../support/wait';

const TOKEN = 'widget-token';
const PBX = 'pbx-token';

function event(callId: string, state: string, extension = '101') {
  return { call_id: callId, state, direction: 'inbound', phone: '+14155550100', extension };
}

interface Harness {
  feed: CallFeed;
  clock: ManualClock;
  page: FakePage;
  logger: RecordingLogger;
  changes: CallChange[];
  statuses: FeedStatus[];
  sockets: number;
  frames: number;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function makeFeed(url: string, options: { token?: string; extensions?: string[]; page?: FakePage; random?: () => number; fetch?: typeof fetch } = {}): Harness {
  const clock = new ManualClock();
  const page = options.page ?? new FakePage('http:');
  const logger = recordingLogger();
  const h = { clock, page, logger, changes: [] as CallChange[], statuses: [] as FeedStatus[], sockets: 0, frames: 0 } as Harness;
  class CountingWs extends WsWebSocket {
    constructor(address: string) {
      super(address);
      h.sockets += 1;
      this.addEventListener('message', () => {
        h.frames += 1;
      });
    }
  }
  h.feed = createCallFeed({
    transport: { kind: 'ws', url },
    token: options.token ?? TOKEN,
    extensions: options.extensions ?? ['101'],
    clock,
    logger,
    WebSocket: CountingWs as unknown as typeof WebSocket,
    fetch: options.fetch ?? (() => Promise.reject(new Error('no fetch in ws tests'))),
    page,
    random: options.random ?? (() => 0.5),
  });
  h.feed.on('change', (c) => h.changes.push(c));
  h.feed.on('status', (s) => h.statuses.push(s));
  cleanups.push(() => h.feed.stop());
  return h;
}

async function relay(port = 0): Promise<RunningRelay> {
  const r = await startRelay({ token: TOKEN, pbxToken: PBX, port });
  cleanups.push(() => r.close());
  return r;
}

async function post(r: RunningRelay, body: unknown): Promise<void> {
  const res = await fetch(`${r.url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

const states = (h: Harness) => h.changes.map((c) => (c.kind === 'state' ? `${c.call.callId}:${c.call.state}` : `${c.call.callId}:vanished`));

test('subscribe, snapshot, then one change per call frame; only the subscribed extension', async () => {
  const r = await relay();
  await post(r, [event('c1', 'ringing'), event('other', 'ringing', '555')]);
  const h = makeFeed(r.wsUrl);
  h.feed.start();
  expect(h.feed.status).toEqual({ status: 'connecting', attempt: 0 });
  await waitUntil('open', () => h.feed.status.status === 'open');
  expect(states(h)).toEqual(['c1:ringing']);
  await post(r, [event('c1', 'answered'), event('c1', 'ringing'), event('x', 'ringing', '555')]);
  await post(r, { ...event('c1', 'ended'), duration: 30 });
  await waitUntil('ended', () => h.changes.length === 3);
  expect(states(h)).toEqual(['c1:ringing', 'c1:answered', 'c1:ended']);
  expect(h.changes[2]).toMatchObject({ kind: 'state', previous: 'answered', call: { duration: 30, result: 'answered' } });
  expect(h.feed.activeCalls()).toEqual([]);
});

test('server restart: backoff within 1 s, reconnect, the snapshot replays what was missed, repeats give nothing', async () => {
  const first = await relay();
  const port = first.port;
  await post(first, [event('c1', 'ringing'), event('c2', 'ringing')]);
  const h = makeFeed(first.wsUrl, { random: () => 0.999 });
  h.feed.start();
  await waitUntil('open', () => h.feed.status.status === 'open');
  expect(states(h)).toEqual(['c1:ringing', 'c2:ringing']);

  await first.close();
  await waitUntil('backoff', () => h.feed.status.status === 'backoff');
  const backoff = h.feed.status as Extract<FeedStatus, { status: 'backoff' }>;
  expect(backoff.attempt).toBe(0);
  expect(backoff.retryInMs).toBeLessThan(1000);

  // While the widget was away: c1 was answered, c2 ended (gone from the snapshot), c3 rang.
  const second = await relay(port);
  await post(second, [event('c1', 'answered'), event('c3', 'ringing')]);
  h.clock.advance(backoff.retryInMs);
  await waitUntil('open again', () => h.feed.status.status === 'open');
  expect(states(h)).toEqual(['c1:ringing', 'c2:ringing', 'c1:answered', 'c3:ringing', 'c2:vanished']);
  expect(h.sockets).toBe(2);

  // Back online: reconnect at once; the identical snapshot produces nothing new.
  h.page.goOnline();
  expect(h.feed.status.status).toBe('connecting');
  await waitUntil('open after online', () => h.feed.status.status === 'open');
  expect(h.sockets).toBe(3);
  expect(h.changes).toHaveLength(5);
});

test('a long outage: after 4 failed sockets the widget probes the relay over HTTP and opens one socket once it answers', async () => {
  const first = await relay();
  const port = first.port;
  const probes: string[] = [];
  const probingFetch: typeof fetch = (input, init) => {
    probes.push(String(input));
    return fetch(input, init);
  };
  const h = makeFeed(first.wsUrl, { random: () => 0, fetch: probingFetch });
  h.feed.start();
  await waitUntil('open', () => h.feed.status.status === 'open');
  await first.close();
  // Thirteen failures while the relay is down: the dropped socket and three new ones, then only probes (refused at once).
  const backoffs = () => h.statuses.filter((st): st is Extract<FeedStatus, { status: 'backoff' }> => st.status === 'backoff');
  for (let failure = 1; failure <= 12; failure++) {
    await waitUntil(`failure ${failure}`, () => backoffs().length >= failure);
    h.clock.advance(backoffs()[failure - 1]!.retryInMs);
  }
  await waitUntil('the 13th failure', () => backoffs().length >= 13);
  expect(h.sockets).toBe(1 + 3);
  expect(probes).toHaveLength(13 - 4);
  expect(new Set(probes)).toEqual(new Set([first.wsUrl.replace(/^ws:/, 'http:')]));

  // Back: the next probe is answered (any status will do) and one socket subscribes.
  await relay(port);
  h.clock.advance(backoffs()[12]!.retryInMs);
  await waitUntil('open again', () => h.feed.status.status === 'open');
  expect(h.sockets).toBe(1 + 3 + 1);
});

test('in a hidden tab, attempts grow with the backoff ceiling while the relay is down; a minute of health resets them', async () => {
  const r = await relay();
  const port = r.port;
  await r.close();
  const page = new FakePage('http:');
  page.visible = false;
  const h = makeFeed(`ws://127.0.0.1:${port}/ws`, { random: () => 0.999, page });
  h.feed.start();
  const ceilings: number[] = [];
  for (let i = 0; i < 4; i += 1) {
    await waitUntil(`backoff ${i}`, () => h.feed.status.status === 'backoff');
    const s = h.feed.status as Extract<FeedStatus, { status: 'backoff' }>;
    expect(s.attempt).toBe(i);
    ceilings.push(s.retryInMs);
    h.clock.advance(s.retryInMs);
  }
  expect(ceilings.map((ms) => Math.ceil(ms / 1000))).toEqual([1, 2, 4, 8]);

  const back = await relay(port);
  await waitUntil('backoff 4', () => h.feed.status.status === 'backoff');
  h.clock.advance((h.feed.status as Extract<FeedStatus, { status: 'backoff' }>).retryInMs);
  await waitUntil('open', () => h.feed.status.status === 'open');
  // Healthy for over a minute (heartbeats answered along the way), then the relay goes away.
  for (let t = 0; t < 75_000; t += 5_000) {
    const heard = h.frames;
    h.clock.advance(5_000); // nothing sent for 5 s: the widget pings, the relay answers
    await waitUntil('pong', () => h.frames > heard);
  }
  expect(h.feed.status.status).toBe('open');
  await back.close();
  await waitUntil('backoff after health', () => h.feed.status.status === 'backoff');
  expect(h.feed.status).toMatchObject({ status: 'backoff', attempt: 0 });
});

test('heartbeat with a version-1 relay: ping after 6 s of silence; no answer in 5 s means a dead socket and a reconnect', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => new Promise((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(resolve); }));
  await new Promise((resolve) => wss.once('listening', resolve));
  let connections = 0;
  const received: string[] = [];
  wss.on('connection', (socket) => {
    connections += 1;
    // A relay that hangs after the snapshot: it reads but never answers.
    socket.on('message', (data) => {
      received.push(String(data));
      if (JSON.parse(String(data)).type === 'subscribe') socket.send(JSON.stringify({ type: 'snapshot', calls: [] }));
    });
  });
  const h = makeFeed(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  h.feed.start();
  await waitUntil('open', () => h.feed.status.status === 'open');
  h.clock.advance(5_999);
  expect(received.map((f) => JSON.parse(f).type)).toEqual(['subscribe']);
  h.clock.advance(1);
  await waitUntil('ping received', () => received.length === 2);
  expect(JSON.parse(received[1] ?? '')).toEqual({ type: 'ping' });
  h.clock.advance(4_999);
  expect(h.feed.status.status).toBe('open');
  h.clock.advance(1);
  expect(h.feed.status).toMatchObject({ status: 'backoff', attempt: 0 });
  expect((h.feed.status as Extract<FeedStatus, { status: 'backoff' }>).error).toBeInstanceOf(TimeoutError);
  h.clock.advance(1000);
  await waitUntil('second connection', () => connections === 2);
  await waitUntil('open again', () => h.feed.status.status === 'open');
});

test('a wrong token: error frame + 4401, renewed and tried once more, then closed unauthorized, no retries (not even when online again)', async () => {
  const r = await relay();
  const h = makeFeed(r.wsUrl, { token: 'wrong' });
  h.feed.start();
  await waitUntil('the renewal wait', () => h.feed.status.status === 'backoff');
  h.clock.advance((h.feed.status as Extract<FeedStatus, { status: 'backoff' }>).retryInMs);
  await waitUntil('unauthorized', () => h.feed.status.status === 'closed');
  expect(h.feed.status).toEqual({ status: 'closed', reason: 'unauthorized' });
  h.page.goOnline();
  h.clock.advance(60 * 60_000);
  await new Promise((resolve) => setImmediate(resolve));
  expect(h.sockets).toBe(2);
  expect(h.clock.pending()).toBe(0);
  expect(h.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
});

test('a bare 4401 close (no error frame) also stops the retries, after the one renewal', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) => socket.close(4401, 'unauthorized'));
  const h = makeFeed(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  h.feed.start();
  await waitUntil('the renewal wait', () => h.feed.status.status === 'backoff');
  h.clock.advance((h.feed.status as Extract<FeedStatus, { status: 'backoff' }>).retryInMs);
  await waitUntil('closed', () => h.feed.status.status === 'closed');
  expect(h.sockets).toBe(2);
  expect(h.feed.status).toEqual({ status: 'closed', reason: 'unauthorized' });
});

test('a 4400 close (bad subscribe) is not retried like a drop: the long wait, a ProtocolError, one reconnect 5 minutes later', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => new Promise((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(resolve); }));
  await new Promise((resolve) => wss.once('listening', resolve));
  let connections = 0;
  wss.on('connection', (socket) => {
    connections += 1;
    socket.on('message', () => socket.close(4400, 'bad subscribe'));
  });
  const h = makeFeed(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  h.feed.start();
  await waitUntil('backoff', () => h.feed.status.status === 'backoff');
  const s = h.feed.status as Extract<FeedStatus, { status: 'backoff' }>;
  expect(s).toMatchObject({ attempt: 0, retryInMs: 300_000 });
  expect(s.error).toBeInstanceOf(ProtocolError);
  h.clock.advance(299_999);
  expect(h.sockets).toBe(1);
  h.clock.advance(1);
  expect(h.sockets).toBe(2);
  await waitUntil('second connection', () => connections === 2);
});

test('malformed frames are dropped and logged once per kind; the connection stays and later calls arrive', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => new Promise((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(resolve); }));
  await new Promise((resolve) => wss.once('listening', resolve));
  let connections = 0;
  wss.on('connection', (socket) => {
    connections += 1;
    socket.on('message', () => {
      socket.send(JSON.stringify({ type: 'snapshot', calls: [] }));
      socket.send('not json at all');
      socket.send('not json either');
      socket.send(JSON.stringify({ type: 'call', call: { ...event('bad', 'ringing'), extension: 101 } }));
      socket.send(JSON.stringify({ type: 'call', call: { ...event('bad2', 'ringing'), state: 7 } }));
      socket.send(JSON.stringify({ type: 'snapshot', calls: 'none' }));
      socket.send(JSON.stringify({ type: 'call', call: { ...event('huge', 'ringing'), phone: 'x'.repeat(1024 * 1024) } }));
      socket.send(JSON.stringify({ type: 'presence', who: 'someone' }));
      socket.send(Buffer.from([1, 2, 3]));
      socket.send(JSON.stringify({ type: 'call', call: event('good', 'ringing') }));
    });
  });
  const h = makeFeed(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  h.feed.start();
  await waitUntil('the good call', () => h.changes.length === 1);
  expect(states(h)).toEqual(['good:ringing']);
  expect(h.feed.status.status).toBe('open');
  expect(connections).toBe(1);
  const warnings = h.logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
  expect(warnings).toEqual([
    'feed: dropped (frame:not_json)',
    'feed: dropped (event:extension)',
    'feed: dropped (event:state)',
    'feed: dropped (frame:snapshot_calls)',
    'feed: dropped (frame:too_large)',
    'feed: dropped (frame:binary)',
  ]);
});

test('ws: on an https page is refused at runtime: closed config, no socket', () => {
  const h = makeFeed('ws://127.0.0.1:1/ws', { page: new FakePage('https:') });
  h.feed.start();
  expect(h.feed.status).toEqual({ status: 'closed', reason: 'config' });
  expect(h.statuses).toEqual([{ status: 'closed', reason: 'config' }]);
  expect(h.sockets).toBe(0);
  expect(h.page.listeners()).toBe(0);
});

test('a user without an extension: closed no-extension, no socket, no warnings', () => {
  const h = makeFeed('ws://127.0.0.1:1/ws', { extensions: [] });
  h.feed.start();
  expect(h.feed.status).toEqual({ status: 'closed', reason: 'no-extension' });
  expect(h.sockets).toBe(0);
  expect(h.logger.lines.filter((l) => l.level !== 'debug')).toEqual([]);
});

test('wake from sleep (timer drift) and a long hidden gap both reconnect at once', async () => {
  const r = await relay();
  const h = makeFeed(r.wsUrl);
  h.feed.start();
  await waitUntil('open', () => h.feed.status.status === 'open');
  h.clock.sleep(10 * 60_000);
  h.clock.advance(0); // every timer fires late: the drift check sees it and reconnects
  await waitUntil('reconnected after sleep', () => h.sockets === 2 && h.feed.status.status === 'open');

  h.page.setVisible(false);
  h.clock.sleep(90_000);
  h.page.setVisible(true);
  expect(h.feed.status.status).toBe('connecting');
  await waitUntil('reconnected after hidden gap', () => h.sockets === 3 && h.feed.status.status === 'open');

  h.page.setVisible(false);
  h.page.setVisible(true); // a short gap does nothing
  expect(h.feed.status.status).toBe('open');
  expect(h.sockets).toBe(3);
});

test('stop() closes the socket, clears every timer and listener, and emits closed stopped', async () => {
  const r = await relay();
  const h = makeFeed(r.wsUrl);
  h.feed.start();
  await waitUntil('open', () => h.feed.status.status === 'open' && r.connections() === 1);
  h.feed.stop();
  expect(h.statuses.at(-1)).toEqual({ status: 'closed', reason: 'stopped' });
  expect(h.clock.pending()).toBe(0);
  expect(h.page.listeners()).toBe(0);
  await waitUntil('relay saw the close', () => r.connections() === 0);
});
