/**
 * Clocks jumping (issue 8): the machine sleeps for hours and wakes (every overdue timer fires at
 * once), and the wall clock is set forward or back (NTP, a user fixing the time) while timers
 * keep their monotonic pace, as browsers' setTimeout does. The feed (WebSocket and polling)
 * runs against the real reference relay; the CallNotifier sits behind it with an instant lookup.
 * Time is the feed tests' ManualClock, optionally seen through a wall-clock offset.
 */
import { WebSocket as WsWebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../../src/core/clock';
import { createCallFeed } from '../../../src/feed';
import type { CallChange, CallFeed } from '../../../src/feed';
import { WAKE_TIMING } from '../../../src/feed/wake';
import type { CallerLookup } from '../../../src/lookup';
import { createCallNotifier, ENGLISH_NOTIFY_STRINGS } from '../../../src/notify';
import type { CallNotifier } from '../../../src/notify';
import { startRelay } from '../../../relay/src';
import type { RunningRelay } from '../../../relay/src';
import { FakePage, ManualClock, recordingLogger, pollCodeAtOnce } from './support';
import type { RecordingLogger } from './support';
import { entity, found, recordingSink } from '../notify/fixtures';
import type { RecordingSink } from '../notify/fixtures';
import { waitUntil } from '../../support/wait';

const TOKEN = 'widget-token';
const PBX = 'pbx-token';
const HOUR = 3_600_000;

/**
 * Wall time = the monotonic ManualClock + an offset the test moves. Timers stay on monotonic
 * time: setting the computer's clock does not make a browser's setTimeout fire early or late.
 */
class WallClock implements Clock {
  offset = 0;
  constructor(readonly mono: ManualClock) {}
  now(): number {
    return this.mono.now() + this.offset;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.mono.setTimeout(fn, ms);
  }
  clearTimeout(handle: TimerHandle): void {
    this.mono.clearTimeout(handle);
  }
  /** The wall clock is set by `ms` (negative: back); no timer fires for it. */
  set(ms: number): void {
    this.offset += ms;
  }
}

interface Harness {
  relay: RunningRelay;
  feed: CallFeed;
  notifier: CallNotifier;
  mono: ManualClock;
  wall: WallClock;
  logger: RecordingLogger;
  sink: RecordingSink;
  changes: CallChange[];
  /** WebSocket connections opened / poll requests sent by the widget. */
  connects: number;
  /** Poll answers fully received (their body read). */
  answers: number;
  /** WebSocket frames received. */
  heard: number;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(kind: 'ws' | 'poll'): Promise<Harness> {
  const relay = await startRelay({ token: TOKEN, pbxToken: PBX, port: 0 });
  cleanups.push(() => relay.close());
  const mono = new ManualClock();
  const wall = new WallClock(mono);
  const logger = recordingLogger();
  const sink = recordingSink();
  const h = { relay, mono, wall, logger, sink, changes: [] as CallChange[], connects: 0, answers: 0, heard: 0 } as Harness;
  class CountingWs extends WsWebSocket {
    constructor(address: string) {
      super(address);
      h.connects += 1;
      this.addEventListener('message', () => void (h.heard += 1));
    }
  }
  const lookup: CallerLookup = { findByNumber: () => Promise.resolve(found(entity('contact', 42, 'Adam Noah'))), dispose() {} };
  h.notifier = createCallNotifier({
    lookup,
    sink,
    strings: ENGLISH_NOTIFY_STRINGS,
    locale: 'en',
    clock: wall,
    logger,
    manager: { id: '504141', extension: '101' },
    mode: 'widget',
  });
  h.feed = createCallFeed({
    transport: kind === 'ws' ? { kind: 'ws', url: relay.wsUrl } : { kind: 'poll', url: relay.pollUrl, mode: 'json', intervalMs: 3000 },
    token: TOKEN,
    extensions: ['101'],
    clock: wall,
    logger,
    WebSocket: CountingWs as unknown as typeof WebSocket,
    pollTransport: pollCodeAtOnce,
    fetch: async (input, init) => {
      h.connects += 1;
      const response = await fetch(input, init);
      // Read here, so the test knows when the answer is in (the transport's own read is then instant).
      const body = await response.text();
      h.answers += 1;
      return new Response(response.status === 204 || response.status === 304 ? null : body, { status: response.status, headers: response.headers });
    },
    page: new FakePage('http:'),
    random: () => 0.5,
  });
  h.feed.on('change', (c) => {
    h.changes.push(c);
    h.notifier.handle(c);
  });
  cleanups.push(() => {
    h.feed.stop();
    h.notifier.dispose();
  });
  h.feed.start();
  await waitUntil('open', () => h.feed.status.status === 'open');
  return h;
}

async function pbx(h: Harness, callId: string, state: 'ringing' | 'answered' | 'ended'): Promise<void> {
  const body: Record<string, unknown> = { call_id: callId, state, direction: 'inbound', phone: '+18305803077', extension: '101' };
  if (state === 'ended') body.duration = 42;
  const res = await fetch(`${h.relay.url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

/** Poll transport: the interval elapses on the clock, and the poll it sends is answered and handled. */
async function nextPoll(h: Harness): Promise<void> {
  const before = h.answers;
  h.mono.advance(3000);
  await pollAnswered(h, before);
}

async function pollAnswered(h: Harness, answersBefore: number): Promise<void> {
  await waitUntil('a poll answer', () => h.answers > answersBefore);
  await new Promise<void>((resolve) => setImmediate(resolve)); // the transport handles it (promise callbacks)
  expect(h.feed.status.status).toBe('open');
}

const count = (list: Array<{ callId?: string }>, id: string) => list.filter((x) => x.callId === id).length;
const errors = (h: Harness) => h.logger.lines.filter((l) => l.level === 'error');

test('WebSocket: the machine sleeps for hours, five times: each wake reconnects at once (no clock time passes), the replayed snapshot pops nothing twice, timers do not pile up', async () => {
  const h = await start('ws');
  await pbx(h, 'c1', 'ringing');
  await waitUntil('pop-up', () => h.sink.popups.length === 1);
  const steady = h.mono.pending(); // the wake check + the heartbeat
  expect(steady).toBe(2);

  for (let i = 1; i <= 5; i++) {
    h.mono.sleep(3 * HOUR);
    h.mono.advance(0); // wake: every overdue timer runs now
    expect(h.connects).toBe(1 + i);
    expect(h.feed.status.status).toBe('connecting');
    await waitUntil(`open after wake ${i}`, () => h.feed.status.status === 'open');
    expect(h.mono.pending()).toBe(steady);
  }
  expect(count(h.sink.popups, 'c1')).toBe(1);
  expect(h.changes).toHaveLength(1);

  // The call goes on after all that: one completed notification, still nothing twice after more sleep.
  await pbx(h, 'c1', 'ended');
  await waitUntil('completed', () => h.sink.calls.length === 1);
  h.mono.sleep(3 * HOUR);
  h.mono.advance(0);
  await waitUntil('open after the last wake', () => h.feed.status.status === 'open');
  await pbx(h, 'c2', 'ringing');
  await waitUntil('c2 pop-up', () => h.sink.popups.length === 2);
  expect(count(h.sink.calls, 'c1')).toBe(1);
  expect(count(h.sink.popups, 'c1')).toBe(1);
  expect(errors(h)).toEqual([]);
});

test('WebSocket: a sleep shorter than the drift threshold is not a wake: no reconnect, only the heartbeat runs', async () => {
  const h = await start('ws');
  h.mono.sleep(WAKE_TIMING.visibleDriftMs - 1000);
  h.mono.advance(0);
  expect(h.connects).toBe(1);
  expect(h.feed.status.status).toBe('open');
  expect(h.mono.pending()).toBe(2);
});

test('polling: after hours of sleep the feed polls at once, one request (not one per missed interval), and timers stay at two', async () => {
  const h = await start('poll');
  await pollAnswered(h, 0);
  await pbx(h, 'c1', 'ringing');
  await nextPoll(h);
  await waitUntil('pop-up', () => h.sink.popups.length === 1);
  expect(h.mono.pending()).toBe(2); // the next poll + the wake check
  for (let i = 1; i <= 3; i++) {
    const before = h.connects;
    const answers = h.answers;
    h.mono.sleep(5 * HOUR);
    h.mono.advance(0);
    expect(h.connects).toBe(before + 1);
    await pollAnswered(h, answers);
    expect(h.connects).toBe(before + 1);
    expect(h.mono.pending()).toBe(2);
  }
  await pbx(h, 'c1', 'ended');
  await nextPoll(h);
  await waitUntil('completed', () => h.sink.calls.length === 1);
  expect(count(h.sink.popups, 'c1')).toBe(1);
  expect(count(h.sink.calls, 'c1')).toBe(1);
  expect(errors(h)).toEqual([]);
});

test('the wall clock set back three hours: heartbeats and reconnects keep their monotonic pace, no wake is detected, replays notify nothing twice and new calls still pop up', async () => {
  const h = await start('ws');
  await pbx(h, 'c1', 'ringing');
  await waitUntil('pop-up', () => h.sink.popups.length === 1);
  await pbx(h, 'c1', 'ended');
  await waitUntil('completed', () => h.sink.calls.length === 1);

  h.wall.set(-3 * HOUR);
  for (let i = 0; i < 3; i += 1) {
    // Each drift check comes with a heartbeat (nothing sent for 5 s): its pong is awaited.
    const heard = h.heard;
    h.mono.advance(WAKE_TIMING.checkEveryMs);
    await waitUntil('the pong', () => h.heard > heard);
  }
  expect(h.connects).toBe(1); // a negative lateness is no sleep
  expect(h.mono.pending()).toBe(2);

  // A reconnect (the relay restarted) replays the state; nothing about c1 is said again.
  let heard = 0;
  class HeardWs extends WsWebSocket {
    constructor(address: string) {
      super(address);
      this.addEventListener('message', () => void (heard += 1));
    }
  }
  h.feed.stop();
  h.changes.length = 0;
  const again = createCallFeed({
    transport: { kind: 'ws', url: h.relay.wsUrl },
    token: TOKEN,
    extensions: ['101'],
    clock: h.wall,
    logger: h.logger,
    WebSocket: HeardWs as unknown as typeof WebSocket,
    pollTransport: pollCodeAtOnce,
    fetch: () => Promise.reject(new Error('no fetch')),
    page: new FakePage('http:'),
    random: () => 0.5,
  });
  cleanups.push(() => again.stop());
  again.on('change', (c) => h.notifier.handle(c));
  again.start();
  await waitUntil('open', () => again.status.status === 'open');
  await pbx(h, 'c1', 'ended');
  await pbx(h, 'c2', 'ringing');
  await waitUntil('c2 pop-up', () => h.sink.popups.length === 2);
  expect(count(h.sink.popups, 'c1')).toBe(1);
  expect(count(h.sink.calls, 'c1')).toBe(1);
  // The heartbeat still runs on time after the jump: a ping once nothing was sent for 5 s, answered.
  const timers = h.mono.pending();
  const before = heard;
  h.mono.advance(4_999);
  await new Promise<void>((resolve) => setImmediate(resolve));
  expect(heard).toBe(before);
  h.mono.advance(1);
  await waitUntil('the pong', () => heard === before + 1);
  h.mono.advance(5_000);
  await waitUntil('the next pong', () => heard === before + 2);
  expect(again.status.status).toBe('open');
  expect(h.mono.pending()).toBe(timers);
  expect(errors(h)).toEqual([]);
});

test('polling, the wall clock set forward an hour while the relay still lists a just-ended call (its 60 s retention): the call must not be filed twice', async () => {
  // The CallTracker forgets ended calls 10 min after their last sighting, by wall time; a forward
  // jump must not make it forget c1 while the relay, on its own clock, still lists it ended.
  const h = await start('poll');
  await pollAnswered(h, 0);
  await pbx(h, 'c1', 'ringing');
  await nextPoll(h);
  await pbx(h, 'c1', 'ended');
  await nextPoll(h);
  await waitUntil('completed', () => h.sink.calls.length === 1);

  h.wall.set(HOUR);
  // Two more changes at the relay within its retention: each poll answer lists c1 ended again.
  await pbx(h, 'c2', 'ringing');
  await nextPoll(h);
  await pbx(h, 'c2', 'answered');
  await nextPoll(h);
  await waitUntil('c2 seen', () => h.changes.some((c) => c.call.callId === 'c2' && c.kind === 'state' && c.call.state === 'answered'));
  expect(count(h.sink.calls, 'c1')).toBe(1);
});

test('polling, the machine sleeps while a poll is in flight: on wake a poll must go out at once, not after an error backoff', async () => {
  // On wake the overdue wake check fires first and nudges: the request from before the sleep is
  // dropped and a poll goes out at once, rather than waiting for the 10 s stall timer to fail it
  // and an error backoff (6 s at a 3 s interval).
  const h = await start('poll');
  await pollAnswered(h, 0);
  h.mono.advance(3000); // a poll starts; the machine sleeps before its answer is handled
  expect(h.connects).toBe(2);
  h.mono.sleep(5 * HOUR);
  h.mono.advance(0);
  expect(h.feed.status.status).not.toBe('backoff');
  expect(h.connects).toBe(3);
});

test('WebSocket: asleep while waiting to retry a dead relay: on wake exactly one connection attempt (the overdue retry and the wake nudge do not both connect), and it reaches the relay once it is back', async () => {
  const h = await start('ws');
  const port = h.relay.port;
  await h.relay.close();
  await waitUntil('backoff', () => h.feed.status.status === 'backoff');
  const attempts = h.connects;
  h.mono.sleep(3 * HOUR);
  h.mono.advance(0);
  expect(h.connects).toBe(attempts + 1);
  expect(h.mono.pending()).toBe(2); // the wake check + the connect timeout
  // The relay comes back on the same port; the next retry finds it.
  const back = await startRelay({ token: TOKEN, pbxToken: PBX, port });
  cleanups.push(() => back.close());
  // (The attempt made on wake went to the closed port, unless the relay was quicker to listen.)
  await waitUntil('that attempt settled', () => h.feed.status.status === 'backoff' || h.feed.status.status === 'open');
  const status = h.feed.status;
  if (status.status === 'backoff') h.mono.advance(status.retryInMs);
  await waitUntil('open', () => h.feed.status.status === 'open');
  expect(h.mono.pending()).toBe(2);
  expect(errors(h)).toEqual([]);
});
