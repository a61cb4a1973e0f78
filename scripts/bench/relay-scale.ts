/**
 * One relay process at scale (issue 18): the BUILT relay (relay-process.ts, its defaults) with
 * 100, 1000 and 5000 WebSocket subscribers on loopback, each subscribed (protocol version 2) to
 * an extension of its own. A section of `npm run bench` (run.ts); alone:
 * `npx tsx scripts/bench/relay-scale.ts [--subscribers 100,1000,5000]`.
 *
 * Per subscriber count:
 * - fan-out latency: `events` single-event POSTs /pbx/events, one at a time, each to a random
 *   subscriber's extension; Date.now() before the POST -> Date.now() in this process when that
 *   subscriber's `call` frame arrives (the frame written, read back over loopback);
 * - memory per subscriber: the relay's RSS (/proc/<pid>/status VmRSS) with them connected minus
 *   before, divided by the count (after a settle; RSS includes the allocator's slack);
 * - events a second one process sustains: batches of 100 events POSTed back to back for
 *   `burstMs`, each a call first seen ended (evictable) to a random subscriber, counted when
 *   the last frame of the burst arrived.
 * The clients share this process (one core of two); they connect in waves of 500, under the
 * relay's pending-socket pool.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';
import { waitUntil } from '../../test/support/wait';
import { freePort, spawnRelay } from './relay-process';
import { runStandalone } from './report/console';
import { PERCENTILE_METHOD, summarize } from './report/stats';
import { atMost, figuresMatching } from './report/targets';
import type { Figure, LatencySeries, Section, Target } from './report/types';

export const TOKEN = 'bench-scale-token';
export const PBX = 'bench-scale-pbx';
export const SCALE_COUNTS = [100, 1000, 5000] as const;
export const WAVE = 500;

/** `count` clients made `make(i)`, WAVE at a time (under the relay's pending-socket pool). */
export async function inWaves<T>(count: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let from = 0; from < count; from += WAVE) out.push(...(await Promise.all(Array.from({ length: Math.min(WAVE, count - from) }, (_, k) => make(from + k)))));
  return out;
}

interface Subscriber {
  ws: WebSocket;
  extension: string;
  /** call_id -> Date.now() when its first frame arrived. */
  seen: Map<string, number>;
}

function rssKb(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN);
}

function subscribe(wsUrl: string, extension: string): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    const sub: Subscriber = { ws, extension, seen: new Map() };
    const timer = setTimeout(() => reject(new Error(`subscriber ${extension}: no snapshot within 30 s`)), 30_000);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', v: 2, token: TOKEN, extensions: [extension] })));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; call?: { call_id: string } };
      if (frame.type === 'snapshot') {
        clearTimeout(timer);
        resolve(sub);
      } else if (frame.type === 'call' && frame.call && !sub.seen.has(frame.call.call_id)) sub.seen.set(frame.call.call_id, Date.now());
    });
    ws.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** POST /pbx/events as the PBX does; the answer as it came. */
export const postEvents = (url: string, events: unknown[]) =>
  fetch(`${url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(events) });

/** POST /pbx/events; anything but 200 fails. */
export const post = (url: string, events: unknown[]) =>
  postEvents(url, events).then(async (res) => {
    if (res.status !== 200) throw new Error(`POST /pbx/events answered ${res.status}: ${await res.text()}`);
  });

export const ringing = (callId: string, extension: string) => ({ call_id: callId, state: 'ringing', direction: 'inbound', phone: '+14155550100', extension });
/** A call first seen ended: a leg the store may evict for the next (the burst would fill --max-calls with live ones). */
export const missed = (callId: string, extension: string) => ({ ...ringing(callId, extension), state: 'ended', result: 'missed' });

export interface ScaleOptions {
  counts: readonly number[];
  /** Fan-out samples per count. */
  events: number;
  burstMs: number;
}

export const SCALE_DEFAULTS: ScaleOptions = { counts: SCALE_COUNTS, events: 300, burstMs: 5_000 };

async function measure(count: number, o: ScaleOptions, log: (line: string) => void): Promise<{ series: LatencySeries; figures: Figure[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  const relay = await spawnRelay({ port: await freePort(), dataDir: dir, token: TOKEN, pbxToken: PBX });
  const subs: Subscriber[] = [];
  try {
    // The relay at rest first (its store open, its modules loaded), then the sockets.
    await post(relay.url, [ringing('warm-up', 'none')]);
    const before = rssKb(relay.pid);
    subs.push(...(await inWaves(count, (i) => subscribe(relay.wsUrl, `e${i}`))));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const memoryPer = ((rssKb(relay.pid) - before) * 1024) / count;
    log(`relay scale: ${count} subscribed, ${Math.round(memoryPer)} bytes each`);

    const samples: number[] = [];
    for (let i = 0; i < o.events; i += 1) {
      const sub = subs[Math.floor(Math.random() * subs.length)]!;
      const callId = `f-${count}-${i}`;
      const sentAt = Date.now();
      await post(relay.url, [ringing(callId, sub.extension)]);
      await waitUntil(`frame ${callId}`, () => sub.seen.has(callId), { timeoutMs: 10_000 });
      samples.push(sub.seen.get(callId)! - sentAt);
    }

    // Throughput: batches back to back for burstMs; the rate counts when the last frame arrived.
    const started = Date.now();
    let sent = 0;
    let last: { sub: Subscriber; callId: string } | null = null;
    while (Date.now() - started < o.burstMs) {
      const batch = Array.from({ length: 100 }, (_, k) => {
        const sub = subs[Math.floor(Math.random() * subs.length)]!;
        last = { sub, callId: `t-${count}-${sent + k}` };
        return missed(last.callId, sub.extension);
      });
      await post(relay.url, batch);
      sent += batch.length;
    }
    const final = last as { sub: Subscriber; callId: string } | null;
    if (final) await waitUntil('the burst delivered', () => final.sub.seen.has(final.callId), { timeoutMs: 30_000 });
    const perS = Math.round((sent * 1000) / (Date.now() - started));

    const series: LatencySeries = { name: `${count} subscribers: PBX POST -> the subscriber's frame`, samplesMs: samples, summary: summarize(samples), missing: 0, method: `${o.events} single-event POSTs, one at a time, each to a random subscriber's extension; ${PERCENTILE_METHOD}` };
    return {
      series,
      figures: [
        { label: `${count} subscribers: fan-out p95`, value: series.summary.p95, unit: `ms (p50 ${series.summary.p50} ms, max ${series.summary.max} ms)`, method: series.method },
        { label: `${count} subscribers: relay memory per subscriber`, value: Math.round(memoryPer), unit: 'bytes (RSS growth / subscribers)', method: 'VmRSS of the relay process after the sockets subscribed (1 s settle) minus before' },
        { label: `${count} subscribers: events a second`, value: perS, unit: 'events/s (POSTs of 100, back to back, until the last frame arrived)', method: `${sent} events in ${o.burstMs / 1000} s of POSTs, each to a random subscriber` },
      ],
    };
  } finally {
    for (const sub of subs) sub.ws.terminate();
    await relay.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runRelayScaleBench(o: ScaleOptions = SCALE_DEFAULTS, log: (line: string) => void = () => undefined): Promise<Section> {
  const figures: Figure[] = [];
  const latency: LatencySeries[] = [];
  for (const count of o.counts) {
    const r = await measure(count, o, log);
    figures.push(...r.figures);
    latency.push(r.series);
  }
  return { title: 'Relay at scale: one process, N WebSocket subscribers (the built relay, loopback)', figures, latency };
}

/** Issue 18's target: one process serves 5000 subscribers with a fan-out p95 of 20 ms at most. */
export function relayScaleTargets(sections: Section[]): Target[] {
  const p95 = figuresMatching(sections, /^Relay at scale/, /^5000 subscribers: fan-out p95/)[0];
  return [atMost('One relay process, 5000 subscribers: PBX POST -> frame, p95', 20, 'ms', p95?.value ?? null, p95?.unit ?? '', 'the relay scale benchmark did not run (or not with 5000)')];
}

if (require.main === module) {
  const { values } = readCommandLine(
    defineCommand({
      name: 'bench-relay-scale',
      usage: 'npx tsx scripts/bench/relay-scale.ts [flags]',
      summary: 'One relay process with 100, 1000 and 5000 subscribers: fan-out latency, memory per subscriber, events a second; prints its section.',
      flags: {
        subscribers: { type: 'string', value: 'list', default: SCALE_COUNTS.join(','), description: 'subscriber counts, comma-separated' },
        events: { type: 'integer', value: 'n', min: 1, max: 100_000, default: SCALE_DEFAULTS.events, description: 'fan-out samples per count' },
      },
    }),
  );
  const counts = String(values.subscribers).split(',').map(Number);
  if (counts.some((n) => !Number.isSafeInteger(n) || n < 1 || n > 10_000)) {
    console.error('bench-relay-scale: --subscribers must list integers 1..10000');
    process.exit(2);
  }
  runStandalone(() => runRelayScaleBench({ ...SCALE_DEFAULTS, counts, events: values.events ?? SCALE_DEFAULTS.events }, console.log));
}
