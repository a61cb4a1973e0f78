/**
 * Never lose a call to the network (issue 12), against the real relay on loopback: the widget's
 * feed and CallNotifier (an instant lookup) behind a TCP proxy that can refuse or hang, or a
 * relay killed and restarted on the same port. The widget's time is a ManualClock; sockets and
 * the relay are real. What is asserted is what the user sees: pop-ups and completed calls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket as WsWebSocket, WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { createCallFeed } from '../../../src/feed';
import type { CallFeed, FeedStatus } from '../../../src/feed';
import { BACKOFF_TIMING } from '../../../src/feed/backoff';
import type { CallerLookup } from '../../../src/lookup';
import { createCallNotifier, ENGLISH_NOTIFY_STRINGS } from '../../../src/notify';
import { startRelay } from '../../../relay/src';
import type { RelayOptions, RunningRelay } from '../../../relay/src';
import { FakePage, ManualClock, recordingLogger, pollCodeAtOnce } from './support';
import type { RecordingLogger } from './support';
import { startTcpProxy } from './tcp-proxy';
import type { TcpProxy } from './tcp-proxy';
import { entity, found, recordingSink } from '../notify/fixtures';
import type { RecordingSink } from '../notify/fixtures';
import { waitUntil } from '../../support/wait';

const TOKEN = 'widget-token';
const PBX = 'pbx-token';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Widget {
  feed: CallFeed;
  clock: ManualClock;
  page: FakePage;
  logger: RecordingLogger;
  sink: RecordingSink;
  /** Subscribe frames the widget sent, parsed. */
  subscribes: Array<Record<string, unknown>>;
}

function widget(transport: { kind: 'ws'; url: string } | { kind: 'poll'; url: string }, extensions = ['101'], random = () => 0.999): Widget {
  const clock = new ManualClock();
  const page = new FakePage('http:');
  const logger = recordingLogger();
  const sink = recordingSink();
  const subscribes: Array<Record<string, unknown>> = [];
  class RecordingWs extends WsWebSocket {
    override send(data: string): void {
      const frame = JSON.parse(data) as Record<string, unknown>;
      if (frame.type === 'subscribe') subscribes.push(frame);
      super.send(data);
    }
  }
  const lookup: CallerLookup = { findByNumber: () => Promise.resolve(found(entity('contact', 42, 'Adam Noah'))), dispose() {} };
  const notifier = createCallNotifier({ lookup, sink, strings: ENGLISH_NOTIFY_STRINGS, locale: 'en', clock, logger, manager: { id: '504141', extension: extensions[0] ?? '' }, mode: 'widget' });
  const feed = createCallFeed({
    transport: transport.kind === 'ws' ? transport : { kind: 'poll', url: transport.url, mode: 'json', intervalMs: 3000 },
    token: TOKEN,
    extensions,
    clock,
    logger,
    WebSocket: RecordingWs as unknown as typeof WebSocket,
    pollTransport: pollCodeAtOnce,
    fetch: (input, init) => fetch(input, init),
    page,
    random,
  });
  feed.on('change', (c) => notifier.handle(c));
  cleanups.push(() => {
    feed.stop();
    notifier.dispose();
  });
  feed.start();
  return { feed, clock, page, logger, sink, subscribes };
}

async function relay(options: Partial<RelayOptions> & { port?: number } = {}): Promise<RunningRelay> {
  const r = await startRelay({ token: TOKEN, pbxToken: PBX, port: 0, ...options });
  cleanups.push(() => r.close());
  return r;
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'blips-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function proxy(r: RunningRelay): Promise<TcpProxy> {
  const p = await startTcpProxy(r.port);
  cleanups.push(() => p.close());
  return p;
}

async function pbx(r: RunningRelay, callId: string, state: string, extra: Record<string, unknown> = {}): Promise<void> {
  const body = { call_id: callId, state, direction: 'inbound', phone: '+18305803077', extension: '101', ...extra };
  const res = await fetch(`${r.url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

const status = (w: Widget) => w.feed.status;
const backoff = (w: Widget) => w.feed.status as Extract<FeedStatus, { status: 'backoff' }>;
const filed = (w: Widget, id: string) => w.sink.calls.filter((c) => c.callId === id);
const popped = (w: Widget, id: string) => w.sink.popups.filter((p) => p.callId === id);
const warnings = (w: Widget) => w.logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
const open = (w: Widget, what = 'open') => waitUntil(what, () => status(w).status === 'open');

/** Keeps failing attempts going on the widget's clock until `ms` have passed; answers when the last began. */
async function stayDown(w: Widget, ms: number): Promise<void> {
  const until = w.clock.now() + ms;
  while (w.clock.now() < until) {
    await waitUntil('the attempt failed', () => status(w).status === 'backoff');
    w.clock.advance(Math.min(backoff(w).retryInMs, until - w.clock.now()));
  }
  await waitUntil('the attempt failed', () => status(w).status === 'backoff');
}

/** The relay is back: how much widget time passes until it is subscribed again. */
async function timeToResubscribe(w: Widget): Promise<number> {
  const from = w.clock.now();
  if (status(w).status === 'backoff') w.clock.advance(backoff(w).retryInMs);
  await open(w, 'resubscribed');
  return w.clock.now() - from;
}

describe('WebSocket: the relay is killed and restarts on the same port (its SQLite store survives)', () => {
  test.each([
    ['1 s', 1_000],
    ['5 s', 5_000],
    ['12 s', 12_000],
    ['10 min', 600_000],
  ])('after %s down: resubscribed with `since` within 1.5 s, the call that ended meanwhile filed once, the one ringing pops', async (_name, outageMs) => {
    const dir = dataDir();
    const first = await relay({ dataDir: dir });
    const w = widget({ kind: 'ws', url: first.wsUrl });
    await open(w);
    await pbx(first, 'c1', 'ringing');
    await waitUntil('c1 pops', () => popped(w, 'c1').length === 1);

    await first.close();
    await stayDown(w, outageMs);
    expect(backoff(w).retryInMs).toBeLessThan(BACKOFF_TIMING.quickMaxMs);
    const second = await relay({ dataDir: dir, port: first.port });
    // Before the widget is back: c1 ends, c2 rings and ends, c3 rings.
    await pbx(second, 'c1', 'ended', { duration: 42 });
    await pbx(second, 'c2', 'ringing');
    await pbx(second, 'c2', 'ended');
    await pbx(second, 'c3', 'ringing');
    expect(await timeToResubscribe(w)).toBeLessThanOrEqual(1_500);
    expect(w.subscribes.at(-1)).toMatchObject({ v: 2, since: { epoch: expect.any(String), offset: 1 } });

    await waitUntil('c1 and c2 filed, c3 popped', () => w.sink.calls.length === 2 && popped(w, 'c3').length === 1);
    expect(filed(w, 'c1').map((c) => c.text.split('<br>')[0])).toEqual(['Incoming call from Adam Noah, 0:42']);
    expect(filed(w, 'c2').map((c) => c.text.split('<br>')[0])).toEqual(['Missed call from Adam Noah']);
    // It rang and ended while the widget was away: no ringing pop-up for a call that is over, its missed-call one instead.
    expect(popped(w, 'c2')).toEqual([]);
    expect(popped(w, 'c2:missed')).toHaveLength(1);
    expect(warnings(w).filter((m) => m.includes('cannot cover'))).toEqual([]);

    // Another reconnect replays nothing.
    w.page.goOnline();
    await open(w, 'open after online');
    await pbx(second, 'c4', 'ringing');
    await waitUntil('c4 pops', () => popped(w, 'c4').length === 1);
    expect(w.sink.calls).toHaveLength(2);
    expect(w.sink.popups.map((p) => p.callId)).toEqual(['c1', 'c2:missed', 'c3', 'c4']);
  });

  test('a relay without persistence restarts (a new epoch): the position cannot be covered, a log line, the snapshot as version 1 had it', async () => {
    const first = await relay();
    const w = widget({ kind: 'ws', url: first.wsUrl });
    await open(w);
    await pbx(first, 'c1', 'ringing');
    await waitUntil('c1 pops', () => popped(w, 'c1').length === 1);
    await first.close();
    await stayDown(w, 2_000);
    const second = await relay({ port: first.port });
    await pbx(second, 'c2', 'ringing');
    expect(await timeToResubscribe(w)).toBeLessThanOrEqual(1_500);
    await waitUntil('c2 pops', () => popped(w, 'c2').length === 1);
    expect(warnings(w)).toContain('feed: gap lost; taking the current calls');
    // c1 is not in the new relay's list: over, without a completed notification (it cannot be known).
    expect(w.sink.calls).toEqual([]);
  });
});

describe('a blip between the widget and a relay that stays up (TCP proxy)', () => {
  test.each(['ws', 'poll'] as const)('%s: a call that rang and ended during the blip is filed once after it; a call ringing pops; the answered one is filed as answered', async (kind) => {
    const r = await relay();
    const p = await proxy(r);
    const w = widget(kind === 'ws' ? { kind, url: p.wsUrl } : { kind, url: p.pollUrl });
    await open(w);
    await pbx(r, 'c1', 'ringing');
    if (kind === 'poll') w.clock.advance(3000);
    await waitUntil('c1 pops', () => popped(w, 'c1').length === 1);

    p.set('refuse');
    if (kind === 'poll') w.clock.advance(3000);
    await waitUntil('the blip is seen', () => status(w).status === 'backoff');
    await pbx(r, 'c1', 'answered');
    await pbx(r, 'c1', 'ended', { duration: 61 });
    await pbx(r, 'c2', 'ringing');
    await pbx(r, 'c2', 'ended');
    await pbx(r, 'c3', 'ringing');
    w.clock.advance(backoff(w).retryInMs);
    await waitUntil('still down', () => status(w).status === 'backoff');

    p.set('pass');
    w.clock.advance(backoff(w).retryInMs);
    await waitUntil('everything in', () => w.sink.calls.length === 2 && popped(w, 'c3').length === 1);
    expect(filed(w, 'c1').map((c) => c.text.split('<br>')[0])).toEqual(['Incoming call from Adam Noah, 1:01']);
    expect(filed(w, 'c2').map((c) => c.text.split('<br>')[0])).toEqual(['Missed call from Adam Noah']);
    expect(warnings(w).filter((m) => m.includes('cannot cover'))).toEqual([]);
    // The relay keeps listing the ended calls for 60 s: polls and reconnects file nothing more.
    for (let i = 0; i < 3; i += 1) {
      if (kind === 'ws') w.page.goOnline();
      else w.clock.advance(3000);
      await open(w, `steady ${i}`);
    }
    await pbx(r, 'c3', 'ended');
    if (kind === 'poll') w.clock.advance(3000);
    await waitUntil('c3 filed', () => filed(w, 'c3').length === 1);
    expect(w.sink.calls.map((c) => c.callId)).toEqual(['c1', 'c2', 'c3']);
    // c2 and c3 were missed (they ended unanswered): each has its missed-call pop-up, once.
    expect(w.sink.popups.map((c) => c.callId)).toEqual(['c1', 'c2:missed', 'c3', 'c3:missed']);
  });

  test('a relay gone silent (socket open, nothing answered) is declared dead within 12 s, and the widget is back within 1.5 s of the relay answering again', async () => {
    const r = await relay();
    const p = await proxy(r);
    const w = widget({ kind: 'ws', url: p.wsUrl });
    await open(w);
    // The silence starts at an arbitrary point of the heartbeat cycle (a ping went out at 5 s).
    w.clock.advance(7_300);
    p.set('hang');
    const silentAt = w.clock.now();
    while (status(w).status === 'open') {
      w.clock.advance(100);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const detected = w.clock.now() - silentAt;
    expect(detected).toBeLessThanOrEqual(12_000);
    expect(detected).toBeGreaterThan(2_000);
    p.set('pass');
    expect(await timeToResubscribe(w)).toBeLessThanOrEqual(1_500);
  });
});

describe('backing off on purpose', () => {
  test('an overloaded relay (error frame with retry_after, close 4503): the widget waits retry_after plus jitter, visible or not, then comes back', async () => {
    const r = await relay({ maxSubscribers: 0, overloadRetryAfterS: 10 });
    const w = widget({ kind: 'ws', url: r.wsUrl }, ['101'], () => 0.5);
    await waitUntil('told to wait', () => status(w).status === 'backoff');
    expect(backoff(w).retryInMs).toBe(15_000);
    expect(warnings(w)).toContain('feed: dropped (relay_error:overloaded)');
    w.page.setVisible(false);
    w.page.setVisible(true);
    expect(status(w).status).toBe('backoff');
    w.clock.advance(14_999);
    expect(status(w).status).toBe('backoff');
    w.clock.advance(1);
    expect(status(w).status).toBe('connecting');
  });

  test('a hidden tab backs off exponentially while the relay is down; made visible it reconnects at once', async () => {
    const first = await relay();
    const w = widget({ kind: 'ws', url: first.wsUrl });
    await open(w);
    w.page.setVisible(false);
    await first.close();
    const delays: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      await waitUntil(`attempt ${i} failed`, () => status(w).status === 'backoff');
      delays.push(backoff(w).retryInMs);
      w.clock.advance(backoff(w).retryInMs);
    }
    expect(delays.map((ms) => Math.ceil(ms / 1000))).toEqual([1, 2, 4, 8]);
    await waitUntil('failed again', () => status(w).status === 'backoff');
    await relay({ port: first.port });
    w.page.setVisible(true);
    expect(status(w).status).toBe('connecting');
    await open(w, 'open at once');
  });
});

test('a version-1 relay (no `v` in its answers): the widget subscribes asking for v2 and works as before: pop-up, completed call, a vanished call filed nothing', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => new Promise((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(resolve); }));
  await new Promise((resolve) => wss.once('listening', resolve));
  const sockets: import('ws').WebSocket[] = [];
  const call = (callId: string, state: string, extra: Record<string, unknown> = {}) => ({ call_id: callId, state, direction: 'inbound', phone: '+18305803077', extension: '101', ...extra });
  wss.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string };
      if (frame.type === 'subscribe') socket.send(JSON.stringify({ type: 'snapshot', calls: [] }));
      if (frame.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
    });
  });
  const w = widget({ kind: 'ws', url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` });
  await open(w);
  expect(w.subscribes).toEqual([{ type: 'subscribe', v: 2, token: TOKEN, extensions: ['101'] }]);
  const send = (frame: unknown) => sockets.at(-1)?.send(JSON.stringify(frame));
  send({ type: 'call', call: call('a', 'ringing') });
  send({ type: 'call', call: call('b', 'ringing') });
  await waitUntil('both pop', () => w.sink.popups.length === 2);
  send({ type: 'call', call: call('a', 'ended', { duration: 5 }) });
  await waitUntil('a filed', () => w.sink.calls.length === 1);
  // Version 1 makes a leg vanish with a snapshot without it: over, nothing filed.
  send({ type: 'snapshot', calls: [] });
  w.page.goOnline(); // a reconnect: a version-1 widget has no position, it subscribes plain again
  await waitUntil('resubscribed', () => w.subscribes.length === 2);
  expect(w.subscribes[1]).not.toHaveProperty('since');
  await open(w);
  expect(w.sink.calls.map((c) => c.callId)).toEqual(['a']);
  // Its heartbeat: a ping after 6 s of silence, answered, the socket kept.
  w.clock.advance(6_000);
  await waitUntil('still open after the ping', () => status(w).status === 'open');
});

describe('ring groups (version 2 legs)', () => {
  test("one call ringing two of the user's own extensions pops once and is filed once, as the answered leg", async () => {
    const r = await relay();
    const w = widget({ kind: 'ws', url: r.wsUrl }, ['101', '102']);
    await open(w);
    await pbx(r, 'q1', 'ringing', { extension: '101' });
    await pbx(r, 'q1', 'ringing', { extension: '102' });
    await waitUntil('pops', () => w.sink.popups.length === 1);
    await pbx(r, 'q1', 'answered', { extension: '102' });
    await pbx(r, 'q1', 'ended', { extension: '101', result: 'answered_elsewhere' });
    await pbx(r, 'q1', 'ended', { extension: '102', duration: 30 });
    await waitUntil('filed', () => w.sink.calls.length === 1);
    await pbx(r, 'q2', 'ringing', { extension: '101' });
    await waitUntil('q2 pops', () => w.sink.popups.length === 2);
    expect(w.sink.calls.map((c) => c.text.split('<br>')[0])).toEqual(['Incoming call from Adam Noah, 0:30']);
    expect(w.sink.popups.map((p) => p.callId)).toEqual(['q1', 'q2']);
  });

  test('a colleague answered the ring group: filed as answered by a colleague, never as missed', async () => {
    const r = await relay();
    const w = widget({ kind: 'ws', url: r.wsUrl }, ['101']);
    await open(w);
    await pbx(r, 'q1', 'ringing', { extension: '101' });
    await pbx(r, 'q1', 'ringing', { extension: '102' });
    await waitUntil('pops', () => w.sink.popups.length === 1);
    await pbx(r, 'q1', 'answered', { extension: '102' });
    await pbx(r, 'q1', 'ended', { extension: '101', result: 'answered_elsewhere' });
    await waitUntil('filed', () => w.sink.calls.length === 1);
    expect(w.sink.calls[0]).toMatchObject({ callId: 'q1' });
    // Nobody here talked: no duration is sent (not 0:00).
    expect(w.sink.calls[0]!.duration).toBeUndefined();
    expect(w.sink.calls[0]!.text.split('<br>')[0]).toBe('Call from Adam Noah answered by a colleague');
    // Not this employee's missed call: no missed-call pop-up.
    expect(w.sink.popups.map((p) => p.callId)).toEqual(['q1']);
  });
});
