/**
 * Call feed benchmark (issue 4). Prints, and exports for the report:
 *  1. idle cost of each transport per hour: requests/frames and bytes on the wire (TCP payload
 *     both ways, measured on the relay's sockets: HTTP headers and WebSocket framing included,
 *     TCP/IP headers not). One simulated hour: the feed runs on a manual clock advanced in 1 s
 *     steps while every request, ping and pong really crosses loopback.
 *  2. event-to-callback latency, p50/p95: the PBX POSTs an event to the reference relay, the
 *     clock stops when the feed's `change` handler runs. Real clock, real sockets. Polling uses
 *     the default 3 s interval and publishes at a random moment of the poll cycle, so its
 *     latency is mostly waiting for the next poll (expect p50 near 1.5 s).
 * Run: npx tsx scripts/bench/feed.ts   (FEED_BENCH_WS_SAMPLES, FEED_BENCH_POLL_SAMPLES to change n)
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { runInNewContext } from 'node:vm';
import { WebSocket as WsWebSocket } from 'ws';
import type { Clock } from '../../src/core/clock';
import { ManualClock } from '../../test/support/manual-clock';
import { systemClock } from '../../src/platform/system-clock';
import { silentLogger } from '../../src/core/logger';
import { createCallFeed } from '../../src/feed';
import { createPollTransport } from '../../src/feed/poll-transport';
import type { CallFeed } from '../../src/feed';
import type { TransportSettings } from '../../src/settings/types';
import { createRelay } from '../../relay/src';
import type { Relay } from '../../relay/src';
import { summarize, PERCENTILE_METHOD } from './report/stats';
import type { Figure, LatencySeries, Section } from './report/types';
import { runStandalone } from './report/console';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';
import { waitUntil } from '../../test/support/wait';

const TOKEN = 'bench-widget-token';
const PBX = 'bench-pbx-token';
const HOUR_MS = 3_600_000;


interface MeteredRelay {
  relay: Relay;
  url: string;
  bytes(): number;
  close(): Promise<void>;
}

/** The reference relay in a server whose sockets are metered (closed sockets keep counting). */
/** `now`: the relay's clock; a simulated hour must move the relay's frame-rate budget too (20 frames/s of its time). */
async function meteredRelay(now?: () => number): Promise<MeteredRelay> {
  const relay = createRelay({ token: TOKEN, pbxToken: PBX, ...(now ? { now } : {}) });
  const sockets = new Set<Socket>();
  let closedBytes = 0;
  const server: Server = createServer((req, res) => {
    if (!relay.handleRequest(req, res)) {
      res.writeHead(404);
      res.end();
    }
  });
  server.on('upgrade', (req, socket, head) => {
    if (!relay.handleUpgrade(req, socket, head)) socket.destroy();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      closedBytes += socket.bytesRead + socket.bytesWritten;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    relay,
    url,
    bytes: () => closedBytes + [...sockets].reduce((sum, s) => sum + s.bytesRead + s.bytesWritten, 0),
    close: () =>
      new Promise((resolve) => {
        relay.close();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const page = { protocol: 'http:', isVisible: () => true, onVisibilityChange: () => () => {}, onOnline: () => () => {} };


/** Counters around the injected constructors, so the bench knows when I/O has settled. */
function meteredIo() {
  const io = { wsSent: 0, wsReceived: 0, requests: 0, settled: 0, scripts: {} as Record<string, unknown> };
  class MeteredWs extends WsWebSocket {
    constructor(address: string) {
      super(address);
      this.addEventListener('message', () => {
        io.wsReceived += 1;
      });
    }
    override send(data: unknown): void {
      io.wsSent += 1;
      super.send(data as string);
    }
  }
  const meteredFetch: typeof fetch = (input, init) => {
    io.requests += 1;
    return fetch(input, init).finally(() => {
      io.settled += 1;
    });
  };
  const loadScript = (src: string, onError?: () => void) => {
    io.requests += 1;
    fetch(src)
      .then(async (res) => {
        const text = await res.text();
        if (res.ok) runInNewContext(text, io.scripts);
        else onError?.();
      })
      .catch(() => onError?.())
      .finally(() => {
        io.settled += 1;
      });
    return { remove() {} };
  };
  return { io, WebSocket: MeteredWs as unknown as typeof WebSocket, fetch: meteredFetch, loadScript };
}

function feedFor(transport: TransportSettings, clock: Clock, m: ReturnType<typeof meteredIo>): CallFeed {
  return createCallFeed({
    transport,
    token: TOKEN,
    extensions: ['101'],
    clock,
    logger: silentLogger,
    WebSocket: m.WebSocket,
    fetch: m.fetch,
    loadScript: m.loadScript,
    callbacks: m.io.scripts,
    // The polling code at once (in the widget it is poll.js, fetched by leader.js).
    pollTransport: (loaded) => loaded(createPollTransport),
    page,
  });
}

export interface IdleCost {
  transport: string;
  setupBytes: number;
  perHourBytes: number;
  perHourMessages: number;
}

/** One simulated idle hour (no calls) through a transport. */
async function idleHour(name: string, transport: (base: string) => TransportSettings): Promise<IdleCost> {
  const clock = new ManualClock(Date.now()); // one simulated hour in a few seconds of real I/O
  const relay = await meteredRelay(() => clock.now());
  const m = meteredIo();
  const feed = feedFor(transport(relay.url), clock, m);
  feed.start();
  await waitUntil('the benchmark\'s I/O settled', () => feed.status.status === 'open' && m.io.settled === m.io.requests);
  await new Promise<void>((resolve) => setImmediate(resolve));
  const setupBytes = relay.bytes();
  const sentBefore = m.io.wsSent;
  const requestsBefore = m.io.requests;
  for (let t = 0; t < HOUR_MS; t += 1000) {
    clock.advance(1000);
    // Wait for what the step started (a ping's pong, a poll's answer) before time moves on.
    await waitUntil('the benchmark\'s I/O settled', () => m.io.wsReceived >= m.io.wsSent && m.io.settled === m.io.requests);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (feed.status.status !== 'open') throw new Error(`bench: ${name} did not stay open (${feed.status.status})`);
  const cost = {
    transport: name,
    setupBytes,
    perHourBytes: relay.bytes() - setupBytes,
    perHourMessages: m.io.wsSent - sentBefore + (m.io.requests - requestsBefore),
  };
  feed.stop();
  await relay.close();
  return cost;
}

/** Event-to-callback latency through a transport, real time. */
async function latency(name: string, transport: (base: string) => TransportSettings, samples: number, jitterMs: number): Promise<LatencySeries> {
  const relay = await meteredRelay();
  const m = meteredIo();
  const feed = feedFor(transport(relay.url), systemClock, m);
  const waiting = new Map<string, (at: number) => void>();
  feed.on('change', (change) => {
    if (change.kind === 'state') waiting.get(change.call.callId)?.(performance.now());
  });
  feed.start();
  await waitUntil('the benchmark\'s I/O settled', () => feed.status.status === 'open');
  const results: number[] = [];
  let missing = 0;
  for (let i = 0; i < samples; i += 1) {
    if (jitterMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * jitterMs));
    const callId = `bench-${name}-${i}`;
    const seen = new Promise<number | null>((resolve) => {
      waiting.set(callId, resolve);
      setTimeout(() => resolve(null), 15_000).unref();
    });
    const t0 = performance.now();
    const res = await fetch(`${relay.url}/pbx/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ call_id: callId, state: 'ringing', direction: 'inbound', phone: '+14155550100', extension: '101' }),
    });
    if (res.status !== 200) throw new Error(`bench: POST answered ${res.status}`);
    const t1 = await seen;
    waiting.delete(callId);
    if (t1 === null) missing += 1;
    else results.push(t1 - t0);
  }
  feed.stop();
  await relay.close();
  return {
    name,
    samplesMs: results,
    summary: summarize(results),
    missing,
    method: `POST /pbx/events to the reference relay on loopback -> feed 'change' handler; ${samples} sequential calls${jitterMs ? `, each published at a random moment within ${jitterMs} ms` : ''}; ${PERCENTILE_METHOD}`,
  };
}

const WS = (base: string): TransportSettings => ({ kind: 'ws', url: `${base.replace(/^http/, 'ws')}/ws` });
const POLL = (base: string): TransportSettings => ({ kind: 'poll', url: `${base}/calls`, mode: 'json', intervalMs: 3000 });
const SCRIPT = (base: string): TransportSettings => ({ kind: 'poll', url: `${base}/calls.js`, mode: 'script', intervalMs: 3000 });

export async function runFeedBench(): Promise<Section> {
  const idle = [await idleHour('WebSocket', WS), await idleHour('Polling JSON (3 s, ETag)', POLL), await idleHour('Polling script (3 s)', SCRIPT)];
  const wsSamples = Number(process.env.FEED_BENCH_WS_SAMPLES ?? 200);
  const pollSamples = Number(process.env.FEED_BENCH_POLL_SAMPLES ?? 30);
  const lat = [await latency('WebSocket', WS, wsSamples, 0), await latency('Polling JSON, 3 s interval', POLL, pollSamples, 3000)];
  const figures: Figure[] = [];
  for (const c of idle) {
    figures.push({
      label: `${c.transport}: idle bytes per hour`,
      value: c.perHourBytes,
      unit: 'bytes',
      method: 'one simulated idle hour (manual clock, 1 s steps, real loopback I/O), TCP payload both ways on the relay side',
      note: `${c.perHourMessages} requests/frames sent by the widget per hour; connecting cost ${c.setupBytes} bytes once`,
    });
  }
  for (const l of lat) {
    figures.push({ label: `${l.name}: event-to-callback p50`, value: l.summary.p50 === null ? null : round(l.summary.p50), unit: 'ms', method: l.method, note: `n=${l.summary.n}, missing ${l.missing}` });
    figures.push({ label: `${l.name}: event-to-callback p95`, value: l.summary.p95 === null ? null : round(l.summary.p95), unit: 'ms', method: l.method, note: `n=${l.summary.n}, missing ${l.missing}` });
  }
  return { title: 'Call feed', figures, latency: lat };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

if (require.main === module) {
  readCommandLine(
    defineCommand({
      name: 'bench-feed',
      usage: 'npx tsx scripts/bench/feed.ts',
      summary: 'The call feed benchmark alone, in Node: idle bytes per hour and event-to-callback latency\nthrough the reference relay on loopback; prints its section.',
      flags: {},
      environment: [
        ['FEED_BENCH_WS_SAMPLES', 'WebSocket calls (default 200)'],
        ['FEED_BENCH_POLL_SAMPLES', 'polling calls (default 30)'],
      ],
    }),
  );
  runStandalone(runFeedBench);
}
