/**
 * The Asterisk adapter (issue 15). A section of `npm run bench` (run.ts); alone:
 * `npx tsx scripts/bench/asterisk.ts [--calls 30]`.
 *
 * - AMI messages parsed a second: the real Asterisk 20 captures (test/fixtures/asterisk)
 *   concatenated to about 16 MB, pushed in 64 KB chunks through the relay's parser
 *   (relay/src/asterisk/ami-parser.ts), best of 5 passes; beside it, in the same run, a naive
 *   reference (split on the blank line, then on ": ") without bounds, resync or byte handling.
 * - Added latency on a real Asterisk 20 (test/support/asterisk, two instances on loopback): the
 *   BUILT relay logged in to the PBX's AMI, a WebSocket subscriber (v2) on 101, and an AMI
 *   observer (the driver's own login) on the same PBX. Per call (a customer calls the DID, 101
 *   rings, the caller gives up after 1 s): the observer's receipt of 101's `DialBegin` -> the
 *   subscriber's `ringing` frame, and of the trunk's `Hangup` -> the `ended` frame. Both clocks
 *   are this process's Date.now(); Asterisk writes each event to both AMI sockets at once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { createAmiClient } from '../../relay/src/asterisk/ami-client';
import { createAmiParser } from '../../relay/src/asterisk/ami-parser';
import type { AmiMessage } from '../../relay/src/asterisk/ami-types';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';
import { startAsteriskPair } from '../../test/support/asterisk/asterisk-pair';
import { captureNames, captureRaw } from '../../test/support/fake-ami';
import { eventually, waitUntil } from '../../test/support/wait';
import { freePort, spawnRelay } from './relay-process';
import { runStandalone } from './report/console';
import { PERCENTILE_METHOD, summarize } from './report/stats';
import { atMost, figuresMatching } from './report/targets';
import type { Figure, LatencySeries, Section, Target } from './report/types';

const TOKEN = 'bench-asterisk-token';
const PBX = 'bench-asterisk-pbx';
export const ASTERISK_CALLS = 30;
const TITLE = 'Asterisk adapter: AMI parsing, and AMI event -> widget frame on a real Asterisk 20';

/** The naive reference: what a first AMI reader looks like. */
function naiveCount(text: string): number {
  let n = 0;
  for (const block of text.split('\r\n\r\n')) {
    if (block === '') continue;
    const fields: Record<string, string> = {};
    for (const line of block.split('\r\n')) {
      const at = line.indexOf(': ');
      if (at > 0) fields[line.slice(0, at)] = line.slice(at + 2);
    }
    if (fields.Event !== undefined || fields.Response !== undefined) n += 1;
  }
  return n;
}

function parsingFigures(): Figure[] {
  const real = captureNames().filter((name) => !name.startsWith('hand-'));
  const one = real.flatMap((name) => captureRaw(name)).join('');
  const text = one.repeat(Math.ceil((16 * 1024 * 1024) / one.length));
  const chunks: Buffer[] = [];
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += 64 * 1024) chunks.push(bytes.subarray(at, at + 64 * 1024));
  let best = Infinity;
  let bestNaive = Infinity;
  let messages = 0;
  for (let pass = 0; pass < 5; pass += 1) {
    const parser = createAmiParser({});
    const began = process.hrtime.bigint();
    let count = 0;
    for (const chunk of chunks) count += parser.push(chunk).length;
    best = Math.min(best, Number(process.hrtime.bigint() - began) / 1e6);
    messages = count;
    const naiveBegan = process.hrtime.bigint();
    naiveCount(text);
    bestNaive = Math.min(bestNaive, Number(process.hrtime.bigint() - naiveBegan) / 1e6);
  }
  const perS = Math.round((messages * 1000) / best);
  const naivePerS = Math.round((messages * 1000) / bestNaive);
  const method = `${messages} messages (${(bytes.length / 1048576).toFixed(1)} MB of the ${real.length} real captures, repeated) in 64 KB chunks; best of 5 passes`;
  return [
    { label: 'AMI messages parsed a second (the relay\'s parser)', value: perS, unit: `messages/s (${Math.round((bytes.length / 1048576) * (1000 / best))} MB/s)`, method },
    { label: 'the same, naive reference (split on the blank line, no bounds)', value: naivePerS, unit: `messages/s; the relay's parser at ${(perS / naivePerS).toFixed(2)}x of it`, method: `${method}, the same run` },
  ];
}

interface Subscriber {
  ws: WebSocket;
  /** A version-2 socket silent for 12 s is closed by the relay: it pings every 5 s, as the widget does. */
  pinger: NodeJS.Timeout;
  /** `${call_id} ${state}` -> Date.now() when the frame arrived. */
  seen: Map<string, number>;
}

function subscribe(url: string): Promise<Subscriber> {
  const ws = new WebSocket(url);
  const sub: Subscriber = { ws, seen: new Map(), pinger: setInterval(() => ws.send(JSON.stringify({ type: 'ping' })), 5_000) };
  return new Promise((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', v: 2, token: TOKEN, extensions: ['101'] })));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; call?: { call_id: string; state: string } };
      if (frame.type === 'snapshot') resolve(sub);
      else if (frame.type === 'call' && frame.call) sub.seen.set(`${frame.call.call_id} ${frame.call.state}`, Date.now());
    });
    ws.on('error', reject);
  });
}

async function latencyOnRealAsterisk(calls: number, log: (line: string) => void): Promise<LatencySeries[]> {
  const pair = await startAsteriskPair();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-asterisk-'));
  const observer = createAmiClient({ ...pair.pbx.driverAmi });
  const seen: Array<{ at: number; m: AmiMessage }> = [];
  observer.onEvent((m) => {
    if (m.Event === 'DialBegin' || m.Event === 'Hangup') seen.push({ at: Date.now(), m });
  });
  observer.start();
  const { ami } = pair.pbx;
  const relay = await spawnRelay({
    port: await freePort(), dataDir: dir, token: TOKEN, pbxToken: PBX,
    args: ['--ami-host', ami.host, '--ami-port', String(ami.port), '--ami-user', ami.username],
    env: { RELAY_AMI_SECRET: ami.secret },
  });
  let sub: Subscriber | null = null;
  try {
    await waitUntil('the observer logs in', () => observer.status().state === 'connected', { timeoutMs: 10_000 });
    await waitUntil('the relay logs in to AMI', async () => {
      const res = await fetch(`${relay.url}/health`, { headers: { Authorization: `Bearer ${PBX}` } });
      return ((await res.json()) as { pbx?: { connected?: boolean } }).pbx?.connected === true;
    }, { timeoutMs: 10_000 });
    sub = await subscribe(relay.wsUrl);
    await pair.drive.setPhone('101', { kind: 'noAnswer' });
    const ring: number[] = [];
    const end: number[] = [];
    let retried = 0;
    /** One call's two samples, or null when the test PBX dropped the call before it rang 101 (seen about once in 30 calls). */
    const measureCall = async (i: number): Promise<[number, number] | null> => {
      const from = seen.length;
      await pair.drive.callIn({ from: `+1415555${String(1000 + i)}`, did: '5550100', giveUpAfterS: 1 });
      const dial = () => seen.slice(from).find((s) => s.m.Event === 'DialBegin' && /^SIP\/101-/.test(s.m.DestChannel ?? ''));
      if (!(await eventually(() => dial() !== undefined, { timeoutMs: 5_000 }))) return null;
      const callId = dial()!.m.Linkedid!;
      if (!(await eventually(() => sub!.seen.has(`${callId} ringing`), { timeoutMs: 5_000 }))) return null;
      const hangup = () => seen.slice(from).find((s) => s.m.Event === 'Hangup' && /^SIP\/pstn-/.test(s.m.Channel ?? ''));
      await waitUntil('the ended frame', () => hangup() !== undefined && sub!.seen.has(`${callId} ended`), { timeoutMs: 15_000 });
      return [sub!.seen.get(`${callId} ringing`)! - dial()!.at, sub!.seen.get(`${callId} ended`)! - hangup()!.at];
    };
    for (let i = 0; i < calls; i += 1) {
      const samples = await measureCall(i);
      await pair.drive.hangupAll();
      if (samples === null) {
        if (++retried > 3) throw new Error('asterisk bench: calls keep failing to ring 101');
        i -= 1;
        continue;
      }
      ring.push(samples[0]);
      end.push(samples[1]);
    }
    log(`asterisk: ${calls} calls measured`);
    const method = `${calls} calls on a real Asterisk 20${retried > 0 ? ` (${retried} placed again: the test PBX dropped them before 101 rang)` : ''} (DID 5550100 rings 101, the caller gives up after 1 s), the built relay logged in to its AMI; Date.now() in this process at an AMI observer's receipt -> at the v2 WebSocket frame; ${PERCENTILE_METHOD}`;
    return [
      { name: "AMI DialBegin to 101 -> the widget's ringing frame", samplesMs: ring, summary: summarize(ring), missing: 0, method },
      { name: "AMI Hangup of the caller -> the widget's ended frame", samplesMs: end, summary: summarize(end), missing: 0, method },
    ];
  } finally {
    if (sub) clearInterval(sub.pinger);
    sub?.ws.terminate();
    await relay.stop();
    await observer.stop();
    await pair.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runAsteriskBench(calls = ASTERISK_CALLS, log: (line: string) => void = () => undefined): Promise<Section> {
  const figures = parsingFigures();
  const latency = await latencyOnRealAsterisk(calls, log);
  for (const series of latency) {
    figures.push({ label: `${series.name}: p50`, value: series.summary.p50, unit: `ms (p95 ${series.summary.p95} ms, max ${series.summary.max} ms)`, method: series.method });
  }
  return { title: TITLE, figures, latency };
}

/** The adapter must not be what makes a pop-up late: an AMI event reaches the widget within 50 ms at p95. */
export function asteriskTargets(sections: Section[]): Target[] {
  const ring = sections.find((s) => s.title === TITLE)?.latency?.[0];
  const parsed = figuresMatching(sections, /^Asterisk adapter/, /^AMI messages parsed a second/)[0];
  return [
    atMost('Asterisk: AMI DialBegin -> ringing frame, p95', 50, 'ms', ring?.summary.p95 ?? null, ring === undefined ? '' : `p50 ${ring.summary.p50} ms, n = ${ring.samplesMs.length}`, 'the Asterisk benchmark did not run'),
    { label: 'Asterisk: AMI messages parsed a second', limit: '>= 100000 messages/s', figure: parsed?.value === null || parsed === undefined ? 'not measured' : `${parsed.value} messages/s`, verdict: parsed?.value == null ? 'not measured' : parsed.value >= 100_000 ? 'pass' : 'fail' },
  ];
}

if (require.main === module) {
  const { values } = readCommandLine(
    defineCommand({
      name: 'bench-asterisk',
      usage: 'npx tsx scripts/bench/asterisk.ts [flags]',
      summary: 'The Asterisk adapter: AMI messages parsed a second, and AMI event -> widget frame on a real Asterisk 20 (built by scripts/asterisk/ensure-asterisk.sh).',
      flags: { calls: { type: 'integer', value: 'n', min: 1, max: 1000, default: ASTERISK_CALLS, description: 'calls on the real Asterisk' } },
    }),
  );
  runStandalone(() => runAsteriskBench(values.calls, console.log));
}
