/**
 * The relay under attack (issue 13), against the BUILT relay process (relay-process.ts) on
 * loopback, the attackers in child processes of their own so their work is not on the measuring
 * client's event loop:
 * - a real widget's connect time (new socket -> `snapshot`), `connects` times one after the
 *   other, without and with `flood` anonymous sockets held open and re-opened as soon as the
 *   relay closes them, five rounds of each interleaved (target: p95 with the flood at most 2x without);
 * - the relay's memory per idle authenticated socket (VmRSS of its process, before and after
 *   `idle` sockets subscribed, divided by `idle`);
 * - the subscribe rate one relay process sustains: new sockets (connect, subscribe, snapshot)
 *   `concurrency` at a time, and resubscribes on open sockets with the frame limits lifted;
 * - 3000 subscribe frames from one token holder: the relay's event-loop delay
 *   (perf_hooks.monitorEventLoopDelay; this relay runs in this process) with the frame-rate
 *   limit and, in the same run, without it (the behaviour before issue 13).
 * A section of `npm run bench` (run.ts); alone: `npx tsx scripts/bench/attack.ts [--quick]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { RELAY_DEFAULTS, startRelay } from '../../relay/src';
import type { RelayOptions } from '../../relay/src';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';
import { eventually } from '../../test/support/wait';
import { child, connectOnce, connectTimes, FLOOD_JS, relayPid, rssKb, SUBSCRIBE_FLOOD_JS } from './attack-clients';
import { freePort, spawnRelay } from './relay-process';
import type { RelayProcess } from './relay-process';
import { runStandalone } from './report/console';
import { PERCENTILE_METHOD, summarize } from './report/stats';
import type { Summary } from './report/stats';
import { atMost } from './report/targets';
import type { Figure, Section, Target } from './report/types';

const TOKEN = 'bench-attack-token';
const PBX = 'bench-attack-pbx';
const TITLE = 'Relay under attack (Node, built relay)';
/** Quiet and flooded connect rounds, interleaved. */
const ROUNDS = 5;
const pending = async (relay: RelayProcess) => ((await (await fetch(`${relay.url}/health`, { headers: { Authorization: `Bearer ${PBX}` } })).json()) as { pending: number }).pending;
const subscribeFrame = (extensions: string[]) => JSON.stringify({ type: 'subscribe', v: 2, token: TOKEN, extensions });

export interface AttackOptions { connects: number; flood: number; idle: number; subscribes: number; concurrency: number; timeoutMs: number }
export const ATTACK_DEFAULTS: AttackOptions = { connects: 50, flood: 2000, idle: 2000, subscribes: 3000, concurrency: 100, timeoutMs: 60_000 };
export const ATTACK_QUICK: AttackOptions = { connects: 10, flood: 200, idle: 200, subscribes: 300, concurrency: 20, timeoutMs: 30_000 };

async function withRelay<T>(env: Record<string, string>, run: (relay: RelayProcess) => Promise<T>): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-attack-'));
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env); // relay-process.ts passes this process's environment on
  const relay = await spawnRelay({ port: await freePort(), dataDir, token: TOKEN, pbxToken: PBX }).finally(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  });
  try {
    const events = Array.from({ length: 100 }, (_, i) => ({ call_id: `a-${i}`, state: 'ringing', direction: 'inbound', phone: '+14155550100', extension: String(100 + (i % 50)) }));
    await fetch(`${relay.url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(events) });
    return await run(relay);
  } finally {
    await relay.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The relay's event loop while one holder sends `n` subscribe frames (this relay runs here, the
 * holder in a child process): its longest stall and the time it was busy, from `go` to the close.
 */
async function subscribeFlood(n: number, limits: Partial<RelayOptions>, timeoutMs: number): Promise<{ maxMs: number; busyMs: number; snapshots: number; code: number; ms: number }> {
  const r = await startRelay({ token: TOKEN, pbxToken: PBX, port: 0, ...limits });
  try {
    const extensions = Array.from({ length: 50 }, (_, i) => String(100 + i));
    const events = Array.from({ length: 100 }, (_, i) => ({ call_id: `f-${i}`, state: 'ringing', direction: 'inbound', phone: '+14155550100', extension: extensions[i % 50] }));
    await fetch(`${r.url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(events) });
    const holder = child(SUBSCRIBE_FLOOD_JS, [r.wsUrl, String(n), subscribeFrame(extensions)]);
    if (!(await eventually(() => holder.last().open === 1, { timeoutMs, everyMs: 5 }))) throw new Error('bench: the token holder did not connect');
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    const before = performance.eventLoopUtilization();
    histogram.enable();
    const started = performance.now();
    holder.go();
    if (!(await eventually(() => holder.last().code !== undefined, { timeoutMs, everyMs: 5 }))) throw new Error('bench: the subscribe flood did not end');
    const ms = performance.now() - started;
    histogram.disable();
    const busyMs = performance.eventLoopUtilization(before).active;
    await holder.exited;
    return { maxMs: histogram.max / 1e6, busyMs, snapshots: holder.last().snapshots ?? 0, code: holder.last().code ?? 0, ms };
  } finally {
    await r.close();
  }
}

export interface AttackResult {
  quiet: Summary;
  flooded: Summary;
  failed: { quiet: string[]; flooded: string[] };
  samplesMs: { quiet: number[]; flooded: number[] };
  floodOpen: number;
  rssPerSocketKb: number;
  newSocketsPerS: number;
  resubscribesPerS: number;
  limited: Awaited<ReturnType<typeof subscribeFlood>>;
  unlimited: Awaited<ReturnType<typeof subscribeFlood>>;
}

export async function runAttackBench(o: AttackOptions, log: (line: string) => void = () => {}): Promise<{ section: Section; result: AttackResult }> {
  const waitFor = (what: string, condition: () => boolean | Promise<boolean>) => eventually(condition, { timeoutMs: o.timeoutMs, everyMs: 20 }).then((ok) => { if (!ok) throw new Error(`bench: ${what} within ${o.timeoutMs / 1000} s`); });
  const wait = waitFor;
  // Rounds of quiet and flooded connects, interleaved: the machine's other load falls on both alike.
  const measured = await withRelay({}, async (relay) => {
    const quiet = { samples: [] as number[], failed: [] as string[] };
    const flooded = { samples: [] as number[], failed: [] as string[] };
    const add = (into: typeof quiet, from: typeof quiet) => (into.samples.push(...from.samples), into.failed.push(...from.failed));
    let floodOpen = 0;
    await connectTimes(relay.wsUrl, o.connects, subscribeFrame); // warm-up (JIT, the store's first reads), not counted
    for (let round = 0; round < ROUNDS; round += 1) {
      add(quiet, await connectTimes(relay.wsUrl, o.connects, subscribeFrame));
      const flood = child(FLOOD_JS, [relay.wsUrl, String(o.flood)]);
      try {
        await wait(`${o.flood} anonymous sockets open`, () => (flood.last().open ?? 0) >= o.flood * 0.95);
        floodOpen = flood.last().open ?? 0;
        log(`attack: ${floodOpen} anonymous sockets open, measuring ${o.connects} connects`);
        add(flooded, await connectTimes(relay.wsUrl, o.connects, subscribeFrame));
      } finally {
        await flood.stop();
      }
      await waitFor('the flood\'s sockets gone from the relay', async () => (await pending(relay)) === 0);
    }
    return { quiet, flooded, floodOpen };
  });
  const { rssPerSocketKb, newSocketsPerS } = await withRelay({}, async (relay) => {
    const pid = relayPid();
    const before = rssKb(pid);
    const sockets: WebSocket[] = [];
    let subscribed = 0;
    for (let i = 0; i < o.idle; i += 1) {
      const ws = new WebSocket(relay.wsUrl);
      ws.on('open', () => ws.send(subscribeFrame([String(100 + (i % 50))])));
      ws.once('message', () => (subscribed += 1));
      ws.on('error', () => {});
      sockets.push(ws);
    }
    await wait(`${o.idle} idle sockets subscribed`, () => subscribed === o.idle);
    const perSocket = (rssKb(pid) - before) / o.idle;
    for (const ws of sockets) ws.terminate();
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: o.concurrency }, async () => {
      while (next < o.subscribes) {
        next += 1;
        await connectOnce(relay.wsUrl, subscribeFrame([String(100 + (next % 50))]));
      }
    }));
    return { rssPerSocketKb: perSocket, newSocketsPerS: o.subscribes / ((performance.now() - started) / 1000) };
  });
  // The relay's own capacity for snapshots: the per-socket limit lifted, open sockets resubscribing in a closed loop.
  const resubscribesPerS = await withRelay({ RELAY_FRAME_RATE: '10000', RELAY_FRAME_BURST: '100000', RELAY_SUBSCRIBE_COST: '1' }, async (relay) => {
    let snapshots = 0;
    let running = true;
    const sockets = await Promise.all(Array.from({ length: o.concurrency }, (_, i) => new Promise<WebSocket>((resolve) => {
      const ws = new WebSocket(relay.wsUrl);
      const frame = subscribeFrame([String(100 + (i % 50))]);
      ws.on('open', () => ws.send(frame));
      ws.on('message', () => {
        snapshots += 1;
        resolve(ws);
        if (running) ws.send(frame);
      });
      ws.on('error', () => {});
    })));
    const from = snapshots;
    const started = performance.now();
    await wait(`${o.subscribes} resubscribes`, () => snapshots - from >= o.subscribes);
    const rate = (snapshots - from) / ((performance.now() - started) / 1000);
    running = false;
    for (const ws of sockets) ws.terminate();
    return rate;
  });
  const limited = await subscribeFlood(o.subscribes, {}, o.timeoutMs);
  const unlimited = await subscribeFlood(o.subscribes, { frameRatePerS: 1e9, frameBurst: 1e9, subscribeCost: 1 }, o.timeoutMs);
  const result: AttackResult = {
    quiet: summarize(measured.quiet.samples),
    flooded: summarize(measured.flooded.samples),
    failed: { quiet: measured.quiet.failed, flooded: measured.flooded.failed },
    samplesMs: { quiet: measured.quiet.samples, flooded: measured.flooded.samples },
    floodOpen: measured.floodOpen,
    rssPerSocketKb,
    newSocketsPerS,
    resubscribesPerS,
    limited,
    unlimited,
  };
  return { section: attackSection(result, o), result };
}

const round = (v: number | null, digits = 1) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

function attackSection(r: AttackResult, o: AttackOptions): Section {
  const where = 'built relay (node dist/relay/relay/src/main.js, defaults, legacy token, 100 ringing legs on 50 extensions) on 127.0.0.1; attackers in child processes (ws)';
  const connects = `${ROUNDS} rounds of ${o.connects} connects without and ${o.connects} with the flood, interleaved (${ROUNDS * o.connects} samples each), one after the other, each a new socket: new WebSocket() -> subscribe (v2, one extension) -> its snapshot, performance.now() in the benchmark process; ${PERCENTILE_METHOD}`;
  const figures: Figure[] = [
    { label: 'Widget connect -> snapshot, no flood: p50 / p95', value: round(r.quiet.p50), unit: `ms (p95 ${round(r.quiet.p95)} ms, max ${round(r.quiet.max)} ms, n=${r.quiet.n}, ${r.failed.quiet.length} failed)`, method: `${where}; ${connects}` },
    { label: `Widget connect -> snapshot, ${o.flood} anonymous sockets flooding: p50 / p95`, value: round(r.flooded.p50), unit: `ms (p95 ${round(r.flooded.p95)} ms, max ${round(r.flooded.max)} ms, n=${r.flooded.n}, ${r.failed.flooded.length} failed${r.failed.flooded.length ? `: ${r.failed.flooded[0]}` : ''})`, method: `${where}; ${o.flood} sockets opened by a child process and never subscribing, each re-opened at once when the relay closes it (${r.floodOpen} open when measuring; the relay's pending pool holds ${RELAY_DEFAULTS.maxPending} and closes the oldest); ${connects}` },
    { label: 'Relay memory per idle authenticated socket', value: round(r.rssPerSocketKb), unit: `KB (RSS delta over ${o.idle} sockets)`, method: `${where}; VmRSS of the relay process (/proc/<pid>/status) before and after ${o.idle} version-2 sockets subscribed (one extension each, idle), divided by ${o.idle}; no GC forced` },
    { label: 'Subscribes one relay process sustains: new sockets (handshake + subscribe + snapshot)', value: Math.round(r.newSocketsPerS), unit: 'subscribes/s', method: `${where}; ${o.subscribes} sockets, ${o.concurrency} at a time from the benchmark process (its own event loop is in the figure), each closed after its snapshot` },
    { label: 'Subscribes one relay process sustains: resubscribes on open sockets, frame limits lifted', value: Math.round(r.resubscribesPerS), unit: 'snapshots/s', method: `${where}, started with RELAY_FRAME_RATE=10000 RELAY_FRAME_BURST=100000 RELAY_SUBSCRIBE_COST=1; ${o.concurrency} open sockets each sending its next subscribe when its snapshot arrives, ${o.subscribes} snapshots counted (with the default limits one socket gets at most 2 a second)` },
    { label: `${o.subscribes} subscribe frames from one token holder, frame-rate limit on (default): relay event-loop delay, max`, value: round(r.limited.maxMs), unit: `ms (event loop busy ${Math.round(r.limited.busyMs)} ms of ${Math.round(r.limited.ms)} ms; ${r.limited.snapshots} snapshots made; holder closed ${r.limited.code})`, method: `createRelay + startRelay in the benchmark process (defaults), 100 ringing legs on 50 extensions, each frame subscribing to all 50; the holder, a child process, sends all ${o.subscribes} at once once connected; perf_hooks.monitorEventLoopDelay (resolution 1 ms) max and performance.eventLoopUtilization().active of this process, from the go to the holder's close` },
    { label: `${o.subscribes} subscribe frames from one token holder, no frame-rate limit (before issue 13): relay event-loop delay, max`, value: round(r.unlimited.maxMs), unit: `ms (event loop busy ${Math.round(r.unlimited.busyMs)} ms of ${Math.round(r.unlimited.ms)} ms; ${r.unlimited.snapshots} snapshots made; holder closed ${r.unlimited.code})`, method: 'as above, the same run, with frameRatePerS and frameBurst 1e9 and subscribeCost 1 (a close 4429: the relay cut the holder for not reading fast enough, the 1 MB send buffer)' },
  ];
  return { title: TITLE, figures, latency: [
    { name: 'widget connect, no flood', samplesMs: r.samplesMs.quiet, summary: r.quiet, missing: r.failed.quiet.length, method: connects },
    { name: `widget connect, ${o.flood} anonymous sockets`, samplesMs: r.samplesMs.flooded, summary: r.flooded, missing: r.failed.flooded.length, method: connects },
  ] };
}

/** Issue 13's target: a flood of anonymous sockets at most doubles a widget's connect time (p95). */
export function attackTargets(r: AttackResult | null): Target[] {
  const label = 'Widget connect -> snapshot p95 under a flood of anonymous sockets, relative to no flood';
  const ratio = r && r.quiet.p95 && r.flooded.p95 !== null && r.failed.flooded.length === 0 ? r.flooded.p95 / r.quiet.p95 : null;
  return [atMost(label, 2, 'x', ratio, r ? `${round(r.flooded.p95)} ms vs ${round(r.quiet.p95)} ms; ${r.failed.flooded.length} connects failed under the flood` : '', 'the attack benchmark did not run or a connect failed')];
}

if (require.main === module) {
  const { values } = readCommandLine(defineCommand({
    name: 'bench-attack',
    usage: 'npx tsx scripts/bench/attack.ts [--quick]',
    summary: 'The relay under attack alone (npm run build:relay first): connect time with and without an anonymous flood, memory per socket, subscribe rate, event-loop delay of a subscribe flood.',
    flags: { quick: { type: 'boolean', description: 'small sample sizes' } },
  }));
  runStandalone(async () => {
    const { section, result } = await runAttackBench(values.quick ? ATTACK_QUICK : ATTACK_DEFAULTS, (l) => console.log(l));
    for (const t of attackTargets(result)) console.log(`[${t.verdict}] ${t.label}: ${t.figure} (limit ${t.limit})`);
    return section;
  });
}
