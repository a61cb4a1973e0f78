/**
 * The relay's connection breaking mid-frame (issue 8). A raw TCP proxy (node:net) sits between
 * the widget's WebSocket transport and the real reference relay: it passes the handshake and
 * frames through untouched until told to break the next data frame: cut it in half and drop the
 * connection, cut it in half and go silent (a half-open socket), or follow half of it with bytes
 * that are no WebSocket frame at all. Time is the feed tests' ManualClock; sockets are real.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocket as WsWebSocket } from 'ws';
import { NetworkError, TimeoutError } from '../../../src/core/errors';
import { createCallFeed } from '../../../src/feed';
import type { CallChange, CallFeed, FeedStatus } from '../../../src/feed';
import { WS_TIMING } from '../../../src/feed/ws-machine';
import { startRelay } from '../../../relay/src';
import type { RunningRelay } from '../../../relay/src';
import { FakePage, ManualClock, recordingLogger } from './support';
import type { RecordingLogger } from './support';
import { waitUntil } from '../../support/wait';

const TOKEN = 'widget-token';
const PBX = 'pbx-token';

type Fault = 'none' | 'cut-and-drop' | 'cut-and-hang' | 'cut-and-garbage';

interface FaultyProxy {
  url: string;
  /** Breaks the next data frame from the relay (once), then passes everything again. */
  arm(fault: Exclude<Fault, 'none'>): void;
  readonly connections: number;
  /** Frames broken so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

async function startFaultyProxy(targetPort: number): Promise<FaultyProxy> {
  let fault: Fault = 'none';
  let connections = 0;
  let cuts = 0;
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  const server = net.createServer((client) => {
    connections += 1;
    const upstream = net.connect(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    let broken = false;
    client.on('data', (data) => {
      if (!broken) upstream.write(data);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (!broken) client.destroy();
    });
    upstream.on('data', (chunk: Buffer) => {
      if (broken) return;
      // 0x81: FIN + text, a whole data frame from the relay (not the HTTP handshake, not a ping).
      if (fault === 'none' || chunk[0] !== 0x81 || chunk.length < 4) {
        client.write(chunk);
        return;
      }
      const what = fault;
      fault = 'none';
      broken = true;
      cuts += 1;
      const half = chunk.subarray(0, Math.floor(chunk.length / 2));
      if (what === 'cut-and-drop') {
        client.write(half, () => client.destroy());
        upstream.destroy();
      } else if (what === 'cut-and-hang') {
        client.write(half); // and nothing more, either way, while both ends stay open
      } else {
        // Reserved opcode 0xF with RSV bits set: no WebSocket implementation may accept it.
        client.write(Buffer.concat([half.subarray(0, 1), Buffer.from([0xff, 0xff, 0x00, 0x13, 0x37])]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    arm(next) {
      fault = next;
    },
    get connections() {
      return connections;
    },
    get cuts() {
      return cuts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Harness {
  relay: RunningRelay;
  proxy: FaultyProxy;
  feed: CallFeed;
  clock: ManualClock;
  logger: RecordingLogger;
  changes: CallChange[];
}

const cleanups: Array<() => unknown> = [];
const escaped: unknown[] = [];
const onEscape = (error: unknown): void => void escaped.push(error);
beforeAll(() => {
  process.on('unhandledRejection', onEscape);
  process.on('uncaughtException', onEscape);
});
afterAll(() => {
  process.off('unhandledRejection', onEscape);
  process.off('uncaughtException', onEscape);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  expect(escaped).toEqual([]);
});

async function start(): Promise<Harness> {
  const relay = await startRelay({ token: TOKEN, pbxToken: PBX, port: 0 });
  cleanups.push(() => relay.close());
  const proxy = await startFaultyProxy(relay.port);
  cleanups.push(() => proxy.close());
  const clock = new ManualClock();
  const logger = recordingLogger();
  const feed = createCallFeed({
    transport: { kind: 'ws', url: proxy.url },
    token: TOKEN,
    extensions: ['101'],
    clock,
    logger,
    WebSocket: WsWebSocket as unknown as typeof WebSocket,
    fetch: () => Promise.reject(new Error('no fetch in ws tests')),
    page: new FakePage('http:'),
    random: () => 0.5,
  });
  const changes: CallChange[] = [];
  feed.on('change', (c) => changes.push(c));
  cleanups.push(() => feed.stop());
  feed.start();
  await waitUntil('open', () => feed.status.status === 'open');
  return { relay, proxy, feed, clock, logger, changes };
}

async function ring(h: Harness, callId: string): Promise<void> {
  const res = await fetch(`${h.relay.url}/pbx/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ call_id: callId, state: 'ringing', direction: 'inbound', phone: '+14155550100', extension: '101' }),
  });
  expect(res.status).toBe(200);
}

const seen = (h: Harness) => h.changes.map((c) => `${c.call.callId}:${c.kind === 'state' ? c.call.state : 'vanished'}`);

/** After the break: backoff, reconnect through the (now healthy) proxy, the cut call from the snapshot, then a new call. */
async function expectRecovery(h: Harness, errorClass: typeof NetworkError | typeof TimeoutError): Promise<void> {
  await waitUntil('backoff', () => h.feed.status.status === 'backoff');
  const backoff = h.feed.status as Extract<FeedStatus, { status: 'backoff' }>;
  expect(backoff).toMatchObject({ attempt: 0 });
  expect(backoff.error).toBeInstanceOf(errorClass);
  expect(backoff.retryInMs).toBeLessThan(1000);
  expect(seen(h)).toEqual(['c1:ringing']);

  h.clock.advance(backoff.retryInMs);
  await waitUntil('open again', () => h.feed.status.status === 'open');
  expect(h.proxy.connections).toBe(2);
  // The frame that was cut is not lost: the reconnect snapshot carries the call.
  await waitUntil('c2 from the snapshot', () => h.changes.length === 2);
  await ring(h, 'c3');
  await waitUntil('c3', () => h.changes.length === 3);
  expect(seen(h)).toEqual(['c1:ringing', 'c2:ringing', 'c3:ringing']);
  expect(h.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
}

test('the relay drops the connection in the middle of a frame: the transport backs off, reconnects, the cut call arrives from the snapshot and a later call arrives; nothing escapes', async () => {
  const h = await start();
  await ring(h, 'c1');
  await waitUntil('c1', () => h.changes.length === 1);
  h.proxy.arm('cut-and-drop');
  await ring(h, 'c2');
  await waitUntil('cut', () => h.proxy.cuts === 1);
  await expectRecovery(h, NetworkError);
});

test('half a frame then silence on a socket that stays open: the heartbeat (a ping 5 s after the last send, dead 5 s later) declares it dead and the transport reconnects', async () => {
  const h = await start();
  await ring(h, 'c1');
  await waitUntil('c1', () => h.changes.length === 1);
  h.proxy.arm('cut-and-hang');
  await ring(h, 'c2');
  await waitUntil('cut', () => h.proxy.cuts === 1);
  h.clock.advance(WS_TIMING.pingEveryMs + WS_TIMING.pongTimeoutMs - 1);
  expect(h.feed.status.status).toBe('open');
  h.clock.advance(1);
  await expectRecovery(h, TimeoutError);
});

test('half a frame followed by bytes that are no WebSocket frame: the protocol error closes the socket, the transport backs off and reconnects', async () => {
  const h = await start();
  await ring(h, 'c1');
  await waitUntil('c1', () => h.changes.length === 1);
  h.proxy.arm('cut-and-garbage');
  await ring(h, 'c2');
  await waitUntil('cut', () => h.proxy.cuts === 1);
  await expectRecovery(h, NetworkError);
});

test('five breaks in a row (drop, hang, garbage): each ends in one reconnect, timers do not pile up and no call is reported twice', async () => {
  const h = await start();
  const steady = h.clock.pending(); // the wake check + the heartbeat
  const faults = ['cut-and-drop', 'cut-and-garbage', 'cut-and-hang', 'cut-and-drop', 'cut-and-garbage'] as const;
  for (const [i, fault] of faults.entries()) {
    h.proxy.arm(fault);
    await ring(h, `c${i}`);
    await waitUntil(`cut ${i}`, () => h.proxy.cuts === i + 1);
    if (fault === 'cut-and-hang') h.clock.advance(WS_TIMING.pingEveryMs + WS_TIMING.pongTimeoutMs);
    await waitUntil(`backoff ${i}`, () => h.feed.status.status === 'backoff');
    h.clock.advance((h.feed.status as Extract<FeedStatus, { status: 'backoff' }>).retryInMs);
    await waitUntil(`open ${i}`, () => h.feed.status.status === 'open');
    await waitUntil(`c${i} from the snapshot`, () => h.changes.length === i + 1);
    expect(h.clock.pending()).toBe(steady);
  }
  expect(h.proxy.connections).toBe(faults.length + 1);
  expect(seen(h)).toEqual(faults.map((_, i) => `c${i}:ringing`));
  expect(h.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
});
