/**
 * 1000 widgets reconnecting at once after a relay restart (issue 12). `clients` instances of the
 * widget's own call feed (src/feed createCallFeed, as feed.ts builds one, real `ws` sockets,
 * a visible page) subscribe to the BUILT relay process (relay-process.ts) on loopback with a data
 * directory; the relay is killed with SIGKILL and started again on the same port and directory.
 * Figures: how many feeds were served again (status `open`: their snapshot arrived), how many
 * were refused (`overloaded` frame or close 4503), and p50/p95/max from the relay listening
 * again to each feed's snapshot. Every wait is bounded (`timeoutMs`, default 60 s).
 *
 * Run alone: npx tsx scripts/bench/reconnect-storm.ts [--clients 1000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket as WsWebSocket } from 'ws';
import { silentLogger } from '../../src/core/logger';
import { systemClock } from '../../src/platform/system-clock';
import { createCallFeed } from '../../src/feed';
import type { CallFeed } from '../../src/feed';
import { eventually } from '../../test/support/wait';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';
import { freePort, spawnRelay } from './relay-process';
import type { RelayProcess } from './relay-process';
import { runStandalone } from './report/console';
import { PERCENTILE_METHOD, summarize } from './report/stats';
import type { Figure, LatencySeries, Section } from './report/types';

const TOKEN = 'bench-storm-token';
const PBX = 'bench-storm-pbx';
const EXTENSIONS = 100;

export interface StormOptions {
  clients: number;
  /** Each phase (all connected; all back after the restart) fails after this long. */
  timeoutMs: number;
}

export interface StormResult {
  clients: number;
  served: number;
  refused: number;
  failedAfterListening: number;
  series: LatencySeries;
  openFilesLimit: number | null;
}

const page = { protocol: 'http:', isVisible: () => true, onVisibilityChange: () => () => {}, onOnline: () => () => {} };

/** This process's soft limit on open files (each client is one socket here and one in the relay). */
function openFilesLimit(): number | null {
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? null : Number(soft);
  } catch {
    return null;
  }
}

/** Refusals the relay sends: the `overloaded` frame and close 4503. */
function watchedWebSocket(refusals: { overloaded: number; closed4503: number }): typeof WebSocket {
  class Watched extends WsWebSocket {
    constructor(address: string) {
      super(address);
      this.addEventListener('message', (e) => {
        if (typeof e.data === 'string' && e.data.includes('"overloaded"')) refusals.overloaded += 1;
      });
      this.addEventListener('close', (e) => {
        if (e.code === 4503) refusals.closed4503 += 1;
      });
    }
  }
  return Watched as unknown as typeof WebSocket;
}

async function postRinging(url: string, count: number): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => ({ call_id: `storm-${i}`, state: 'ringing', direction: 'inbound', phone: '+14155550100', extension: String(2000 + i) }));
  const res = await fetch(`${url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(events) });
  if (res.status !== 200) throw new Error(`bench: POST answered ${res.status}`);
}

export async function runReconnectStorm(o: StormOptions, log: (line: string) => void = () => {}): Promise<{ section: Section; result: StormResult }> {
  const limit = openFilesLimit();
  if (limit !== null && limit < o.clients + 200) throw new Error(`bench: ulimit -n is ${limit}, too low for ${o.clients} clients (each needs one file descriptor here and one in the relay)`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-storm-'));
  const port = await freePort();
  let relay: RelayProcess | null = await spawnRelay({ port, dataDir, token: TOKEN, pbxToken: PBX });
  const refusals = { overloaded: 0, closed4503: 0 };
  const WebSocketCtor = watchedWebSocket(refusals);
  const openAt: number[] = Array.from({ length: o.clients }, () => 0);
  const failedAt: number[] = [];
  const feeds: CallFeed[] = [];
  try {
    // A ringing leg on every extension: each snapshot after the restart carries one (read back from the store).
    await postRinging(relay.url, EXTENSIONS);
    for (let i = 0; i < o.clients; i++) {
      const feed = createCallFeed({ transport: { kind: 'ws', url: relay.wsUrl }, token: TOKEN, extensions: [String(2000 + (i % EXTENSIONS))], clock: systemClock, logger: silentLogger, WebSocket: WebSocketCtor, fetch, page });
      feed.on('status', (s) => {
        if (s.status === 'open') openAt[i] = Date.now();
        else if (s.status === 'backoff') failedAt.push(Date.now());
      });
      feeds.push(feed);
      feed.start();
    }
    const started = Date.now();
    if (!(await eventually(() => openAt.every((t) => t > 0), { timeoutMs: o.timeoutMs, everyMs: 20 }))) {
      throw new Error(`bench: only ${openAt.filter((t) => t > 0).length} of ${o.clients} feeds subscribed within ${o.timeoutMs / 1000} s of starting`);
    }
    log(`storm: ${o.clients} feeds subscribed in ${Date.now() - started} ms; kill -9`);
    await relay.kill9();
    const killedAt = Date.now();
    relay = null;
    relay = await spawnRelay({ port, dataDir, token: TOKEN, pbxToken: PBX });
    const listening = relay.listeningAt;
    const back = () => openAt.filter((t) => t > killedAt).length;
    await eventually(() => back() === o.clients, { timeoutMs: o.timeoutMs, everyMs: 20 });
    const samples = openAt.filter((t) => t > killedAt).map((t) => t - listening);
    const failedAfterListening = failedAt.filter((t) => t > listening).length;
    log(`storm: ${samples.length} of ${o.clients} back, relay down ${listening - killedAt} ms`);
    const series: LatencySeries = {
      name: `${o.clients} feeds after kill -9 of the relay`,
      samplesMs: samples,
      summary: summarize(samples),
      missing: o.clients - samples.length,
      method: `relay "listening" line read (Date.now() here) -> each feed's status 'open' (its snapshot arrived); ${PERCENTILE_METHOD}`,
    };
    const result: StormResult = { clients: o.clients, served: samples.length, refused: refusals.overloaded + refusals.closed4503, failedAfterListening, series, openFilesLimit: limit };
    return { section: stormSection(result, listening - killedAt, o.timeoutMs), result };
  } finally {
    for (const f of feeds) f.stop();
    await relay?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function stormSection(r: StormResult, downMs: number, timeoutMs: number): Section {
  const s = r.series.summary;
  const how =
    `${r.clients} createCallFeed instances (src/feed, WebSocket transport, real \`ws\` sockets, visible page, one extension each of ${EXTENSIONS}) in the benchmark's Node process, all subscribed to the built relay (node dist/relay/relay/src/main.js --data-dir <tmp>) on 127.0.0.1; ` +
    `the relay process is killed with SIGKILL and started again at once on the same port and data directory (it was away ${downMs} ms, Node start and SQLite open included); waits bounded at ${timeoutMs / 1000} s; ` +
    `ulimit -n (soft) ${r.openFilesLimit ?? 'unlimited'} here, ${r.clients} sockets needed on each side (the section refuses to run below ${r.clients} + 200): not a limit here`;
  const figures: Figure[] = [
    {
      label: `${r.clients} widgets reconnecting at once after kill -9: served again`,
      value: r.served,
      unit: `of ${r.clients} (${r.refused} refused: overloaded frame / close 4503; ${r.failedAfterListening} failed attempts after the relay listened)`,
      method: how,
    },
    {
      label: `${r.clients} widgets after kill -9: relay listening again -> resubscribed, p50 / p95 / max`,
      value: s.p50,
      unit: `ms (p95 ${s.p95 ?? 'n/a'} ms, max ${s.max ?? 'n/a'} ms, n=${s.n})`,
      method: `${how}; from Date.now() when the relay's "relay listening on" line arrives to Date.now() when each feed reports status 'open'; the clients share one Node process (its event loop is in the figure); ${PERCENTILE_METHOD}`,
    },
  ];
  return { title: 'Reconnect storm (Node, built relay)', figures, latency: [r.series] };
}

if (require.main === module) {
  const { values } = readCommandLine(
    defineCommand({
      name: 'bench-reconnect-storm',
      usage: 'npx tsx scripts/bench/reconnect-storm.ts [flags]',
      summary: 'The reconnect storm alone: N widget feeds in Node against the built relay process (npm run\nbuild:relay first), kill -9, restart on the same port; served count and resubscribe times.',
      flags: {
        clients: { type: 'integer', value: 'n', min: 1, max: 10_000, default: 1000, description: 'widget feeds' },
        'timeout-s': { type: 'integer', value: 's', min: 5, max: 600, default: 60, description: 'each phase fails after this long' },
      },
    }),
  );
  runStandalone(async () => (await runReconnectStorm({ clients: values.clients ?? 1000, timeoutMs: (values['timeout-s'] ?? 60) * 1000 }, (l) => console.log(l))).section);
}
