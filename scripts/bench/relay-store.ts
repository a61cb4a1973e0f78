/**
 * POST /pbx/events latency of the reference relay with an empty store and with a full one
 * (10 000 legs, the default cap), for the memory store and the SQLite store (WAL, one commit per
 * POST before the answer). Run alone: `npx tsx scripts/bench/relay-store.ts [--posts N]`.
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

const PBX = 'bench-pbx';
const argIndex = process.argv.indexOf('--posts');
const POSTS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 500;
const CAP = 10_000;

const wire = (callId: string, state: string, extension: string) => ({ call_id: callId, state, direction: 'inbound', phone: '+14155550100', extension });

async function post(r: RunningRelay, body: unknown): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${r.url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  await res.json();
  if (res.status !== 200) throw new Error(`POST answered ${res.status}`);
  return performance.now() - started;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(2)} ms  p95 ${percentile(sorted, 95).toFixed(2)} ms  (n=${samples.length})`;
};

async function measure(kind: 'memory' | 'sqlite'): Promise<void> {
  const dataDir = kind === 'sqlite' ? fs.mkdtempSync(path.join(os.tmpdir(), 'relay-bench-')) : undefined;
  const r = await startRelay({ token: 'bench', pbxToken: PBX, port: 0, maxCalls: CAP, ...(dataDir ? { dataDir } : {}) });
  try {
    for (let i = 0; i < 20; i += 1) await post(r, wire(`warm-${i}`, 'ringing', '999')); // JIT and connection warm-up
    await post(r, Array.from({ length: 20 }, (_, i) => wire(`warm-${i}`, 'ended', '999')));
    const empty: number[] = [];
    for (let i = 0; i < POSTS; i += 1) empty.push(await post(r, wire(`e-${i}`, i % 2 === 0 ? 'ringing' : 'ended', String(100 + (i % 50)))));

    // Fill to the cap: 5 000 ended and 5 000 ringing legs on 500 extensions, in POSTs of 500.
    for (let batch = 0; batch < CAP / 500; batch += 1) {
      const events = Array.from({ length: 500 }, (_, i) => {
        const n = batch * 500 + i;
        return wire(`f-${n}`, n < CAP / 2 ? 'ended' : 'ringing', String(1000 + (n % 500)));
      });
      await post(r, events);
    }
    const health = (await (await fetch(`${r.url}/health`)).json()) as { calls: number };
    const full: number[] = [];
    for (let i = 0; i < POSTS; i += 1) {
      full.push(await post(r, i % 2 === 0 ? wire(`n-${i}`, 'ringing', '2000') : wire(`f-${CAP / 2 + i}`, 'ended', String(1000 + ((CAP / 2 + i) % 500)))));
    }
    const file = dataDir ? fs.statSync(path.join(dataDir, 'relay.sqlite')).size + (fs.existsSync(path.join(dataDir, 'relay.sqlite-wal')) ? fs.statSync(path.join(dataDir, 'relay.sqlite-wal')).size : 0) : 0;
    console.log(`${kind.padEnd(6)}  at 0 legs:      ${summary(empty)}`);
    console.log(`${kind.padEnd(6)}  at ${health.calls} legs: ${summary(full)}`);
    console.log(`${kind.padEnd(6)}  heap used ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MB${dataDir ? `, file + WAL ${(file / 1024 / 1024).toFixed(1)} MB` : ''}`);
  } finally {
    await r.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`POST /pbx/events, one event per POST, ${POSTS} POSTs per figure, node ${process.version}, ${os.cpus().length} cores`);
  await measure('memory');
  await measure('sqlite');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
