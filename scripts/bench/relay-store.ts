/**
 * POST /pbx/events latency of the reference relay with an empty store and with a full one
 * (10 000 legs, the default cap), for the memory store and the SQLite store (WAL, one commit per
 * POST before the answer). A section of `npm run bench` (run.ts); alone:
 * `npx tsx scripts/bench/relay-store.ts [--posts N]`.
 *
 * Method: a relay on 127.0.0.1 (port 0) in this process; one POST at a time over a keep-alive
 * connection, each with one event; the time is from fetch() to the parsed 200 answer. At
 * 10 000 legs the store holds 5 000 ringing and 5 000 ended legs, and the measured POSTs
 * alternate a new ringing leg (which evicts the oldest ended one) and the end of a live leg.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay } from '../../relay/src';
import type { RunningRelay } from '../../relay/src';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';
import { runStandalone } from './report/console';
import { PERCENTILE_METHOD, summarize } from './report/stats';
import type { Summary } from './report/stats';
import type { Figure, Section } from './report/types';

const PBX = 'bench-pbx';
const CAP = 10_000;
export const STORE_POSTS = 500;

export type StoreKind = 'memory' | 'sqlite';

export interface StoreLatency {
  kind: StoreKind;
  empty: Summary;
  full: Summary;
  legsWhenFull: number;
  heapMb: number;
  fileMb: number | null;
}

const wire = (callId: string, state: string, extension: string) => ({ call_id: callId, state, direction: 'inbound', phone: '+14155550100', extension });

async function post(r: RunningRelay, body: unknown): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${r.url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  await res.json();
  if (res.status !== 200) throw new Error(`POST answered ${res.status}`);
  return performance.now() - started;
}

const fileSize = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);

export async function measureStore(kind: StoreKind, posts: number): Promise<StoreLatency> {
  const dataDir = kind === 'sqlite' ? fs.mkdtempSync(path.join(os.tmpdir(), 'relay-bench-')) : undefined;
  const r = await startRelay({ token: 'bench', pbxToken: PBX, port: 0, maxCalls: CAP, ...(dataDir ? { dataDir } : {}) });
  try {
    for (let i = 0; i < 20; i += 1) await post(r, wire(`warm-${i}`, 'ringing', '999')); // JIT and connection warm-up
    await post(r, Array.from({ length: 20 }, (_, i) => wire(`warm-${i}`, 'ended', '999')));
    const empty: number[] = [];
    for (let i = 0; i < posts; i += 1) empty.push(await post(r, wire(`e-${i}`, i % 2 === 0 ? 'ringing' : 'ended', String(100 + (i % 50)))));

    // Fill to the cap: 5 000 ended and 5 000 ringing legs on 500 extensions, in POSTs of 500.
    for (let batch = 0; batch < CAP / 500; batch += 1) {
      const events = Array.from({ length: 500 }, (_, i) => {
        const n = batch * 500 + i;
        return wire(`f-${n}`, n < CAP / 2 ? 'ended' : 'ringing', String(1000 + (n % 500)));
      });
      await post(r, events);
    }
    const health = (await (await fetch(`${r.url}/health`, { headers: { Authorization: `Bearer ${PBX}` } })).json()) as { calls: number };
    const full: number[] = [];
    for (let i = 0; i < posts; i += 1) {
      full.push(await post(r, i % 2 === 0 ? wire(`n-${i}`, 'ringing', '2000') : wire(`f-${CAP / 2 + i}`, 'ended', String(1000 + ((CAP / 2 + i) % 500)))));
    }
    const fileMb = dataDir ? (fileSize(path.join(dataDir, 'relay.sqlite')) + fileSize(path.join(dataDir, 'relay.sqlite-wal'))) / 1024 / 1024 : null;
    return { kind, empty: summarize(empty), full: summarize(full), legsWhenFull: health.calls, heapMb: process.memoryUsage().heapUsed / 1024 / 1024, fileMb };
  } finally {
    await r.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)} ms`);
const round2 = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);

export async function runRelayStoreBench(posts = STORE_POSTS): Promise<Section> {
  const results = [await measureStore('memory', posts), await measureStore('sqlite', posts)];
  const method = (kind: StoreKind, full: boolean) =>
    `a relay (createRelay + startRelay, ${kind === 'sqlite' ? 'SQLite store in a temporary data directory, WAL, one commit per POST before the answer' : 'memory store'}) on 127.0.0.1 in the benchmark's process; ${posts} POSTs one at a time over keep-alive, one event each, fetch() -> parsed 200; ` +
    (full ? `store filled to the cap first (5 000 ringing + 5 000 ended legs on 500 extensions), the POSTs alternate a new ringing leg (evicting the oldest ended one) and the end of a live leg` : 'after 20 warm-up POSTs, alternating a new ringing leg and its end') +
    `; ${PERCENTILE_METHOD}`;
  const figures: Figure[] = results.flatMap((r): Figure[] => [
    { label: `POST /pbx/events, ${r.kind} store, 0 legs: p50`, value: round2(r.empty.p50), unit: `ms (p95 ${ms(r.empty.p95)}, max ${ms(r.empty.max)})`, method: method(r.kind, false) },
    {
      label: `POST /pbx/events, ${r.kind} store, at the cap (${r.legsWhenFull} legs): p50`,
      value: round2(r.full.p50),
      unit: `ms (p95 ${ms(r.full.p95)}, max ${ms(r.full.max)})`,
      method: method(r.kind, true),
      note: `heap used ${r.heapMb.toFixed(0)} MB${r.fileMb === null ? '' : `, file + WAL ${r.fileMb.toFixed(1)} MB`}`,
    },
  ]);
  return { title: 'Relay store: POST latency (Node)', figures };
}

if (require.main === module) {
  const { values } = readCommandLine(
    defineCommand({
      name: 'bench-relay-store',
      usage: 'npx tsx scripts/bench/relay-store.ts [flags]',
      summary: 'POST /pbx/events latency at 0 and 10 000 legs, memory and SQLite stores; prints its section.',
      flags: { posts: { type: 'integer', value: 'n', min: 1, max: 100_000, default: STORE_POSTS, description: 'POSTs per figure' } },
    }),
  );
  runStandalone(() => runRelayStoreBench(values.posts ?? STORE_POSTS));
}
