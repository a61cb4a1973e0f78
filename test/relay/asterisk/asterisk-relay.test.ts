/**
 * Issue 15 end to end: two real Asterisk 20 instances (test/support/asterisk/), the BUILT relay
 * started as an operator starts it (`--ami-host ...`, its secret in RELAY_AMI_SECRET), and the
 * widget's own call feed (src/feed, over the relay's WebSocket) subscribed to 101, 102 and 103.
 * Each call flow is driven on the real PBX; the test checks what the widget's feed reports per
 * extension, the recording link the relay signs and serves, click-to-call through AMI
 * Originate, and a relay killed mid-call that resynchronises after its restart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket as WsWebSocket } from 'ws';
import { silentLogger } from '../../../src/core/logger';
import { createCallFeed } from '../../../src/feed';
import type { CallChange, CallFeed } from '../../../src/feed';
import { systemClock } from '../../../src/platform/system-clock';
import type { CallEvent } from '../../../src/protocol';
import { startAsteriskPair } from '../../support/asterisk/asterisk-pair';
import type { AsteriskPair } from '../../support/asterisk/asterisk-pair';
import { freeTcpPort } from '../../support/asterisk/free-ports';
import { envWithout, startCommand } from '../../support/command';
import type { RunningCommand } from '../../support/command';
import { waitUntil } from '../../support/wait';
import { BUILT_RELAY, buildRelayIfStale, PBX, TOKEN } from '../harness';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CUSTOMER = { from: '+18305803077', name: 'Adam Noah' };
const RECORDING_SECRET = 'recording-links-key-for-the-test';

let pair: AsteriskPair;
let dir: string;
let port: number;
let relay: RunningCommand | null = null;
let feed: CallFeed | null = null;
/** Every state change the widget's feed reported, in order. */
const seen: CallEvent[] = [];

async function startRelay(): Promise<void> {
  const args = [BUILT_RELAY, '--port', String(port), '--data-dir', dir, '--pbx-token', PBX, '--token', TOKEN,
    '--ami-host', pair.pbx.ami.host, '--ami-port', String(pair.pbx.ami.port), '--ami-user', pair.pbx.ami.username,
    '--recordings-dir', pair.pbx.recordingsDir, '--recording-secret', RECORDING_SECRET, '--public-url', `http://127.0.0.1:${port}`,
    '--originate-interval-ms', '0'];
  const started = startCommand(process.execPath, args, { cwd: ROOT, env: { ...envWithout(/^RELAY_/), RELAY_AMI_SECRET: pair.pbx.ami.secret } });
  relay = started;
  await waitUntil('the relay prints its addresses', () => /data directory: .*\n/.test(started.stdout()) || started.stderr() !== '', { everyMs: 10 });
  if (!started.stdout().includes('relay listening on')) throw new Error(`the relay did not start: ${started.stderr()}`);
  await waitUntil('the relay is logged in to AMI', async () => (await health()).pbx?.connected === true, { everyMs: 50, timeoutMs: 10_000 });
}

async function health(): Promise<{ pbx?: { connected?: boolean; state?: string; last_resync?: unknown } }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { headers: { Authorization: `Bearer ${PBX}` } });
    return (await res.json()) as { pbx?: { connected?: boolean } };
  } catch {
    return {};
  }
}

beforeAll(async () => {
  buildRelayIfStale();
  // A short ring: the "no answer" flow waits for the PBX's own Dial timeout.
  pair = await startAsteriskPair({ ringSeconds: 3, huntStepSeconds: 3 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-asterisk-'));
  port = await freeTcpPort();
  await startRelay();
  feed = createCallFeed({
    transport: { kind: 'ws', url: `ws://127.0.0.1:${port}/ws` },
    token: TOKEN,
    extensions: ['101', '102', '103'],
    clock: systemClock,
    logger: silentLogger,
    WebSocket: WsWebSocket as unknown as typeof WebSocket,
    fetch,
    page: { protocol: 'http:', isVisible: () => true, onVisibilityChange: () => () => {}, onOnline: () => () => {} },
  });
  feed.on('change', (change: CallChange) => {
    if (change.kind === 'state') seen.push(change.call);
  });
  feed.start();
  await waitUntil('the feed is open', () => feed!.status.status === 'open', { everyMs: 20 });
}, 240_000);

afterAll(async () => {
  feed?.stop();
  relay?.kill('SIGKILL');
  await relay?.exited;
  await pair?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await pair.drive.hangupAll();
});

/** The feed's reports since `from`, as `extension state[/result]` lines per call. */
function legs(from: number): Map<string, string[]> {
  const byCall = new Map<string, string[]>();
  for (const e of seen.slice(from)) {
    const line = `${e.extension} ${e.state}${e.state === 'ended' ? `/${e.result}` : ''}`;
    byCall.set(e.callId, [...(byCall.get(e.callId) ?? []), line]);
  }
  return byCall;
}
const ended = (from: number, extension: string) => seen.slice(from).filter((e) => e.state === 'ended' && e.extension === extension);
const endedAll = (from: number, extensions: string[]) => () => extensions.every((x) => ended(from, x).length > 0);

test('direct inbound, answered: 101 rings, talks, ends with its talk time and a signed recording link the relay serves', async () => {
  const from = seen.length;
  await pair.drive.setPhone('101', { kind: 'answer', afterS: 1, hangUpAfterS: 2 });
  await pair.drive.callIn({ ...CUSTOMER, did: '5550100' });
  await waitUntil('101 ringing in the widget', () => seen.slice(from).some((e) => e.extension === '101' && e.state === 'ringing'), { everyMs: 10 });
  await waitUntil('the call ended', endedAll(from, ['101']), { everyMs: 20, timeoutMs: 15_000 });
  expect([...legs(from).values()]).toEqual([['101 ringing', '101 answered', '101 ended/answered']]);
  const [end] = ended(from, '101');
  expect(end).toMatchObject({ direction: 'inbound', phone: CUSTOMER.from });
  expect(end!.duration).toBeGreaterThanOrEqual(1);
  expect(end!.duration).toBeLessThanOrEqual(4);
  expect(end!.recordingUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/recordings/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
  // The player fetches it without credentials; the file is there once MixMonitor closed it.
  await waitUntil('the recording is served', async () => (await fetch(end!.recordingUrl!)).status === 200, { everyMs: 100, timeoutMs: 10_000 });
  const res = await fetch(end!.recordingUrl!);
  expect(res.headers.get('content-type')).toBe('audio/wav');
  expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(44);
  // An altered link opens nothing.
  const altered = end!.recordingUrl!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
  expect((await fetch(altered)).status).toBe(403);
});

test('missed: the caller gives up while 101 rings', async () => {
  const from = seen.length;
  await pair.drive.setPhone('101', { kind: 'noAnswer' });
  await pair.drive.callIn({ ...CUSTOMER, did: '5550100', giveUpAfterS: 1 });
  await waitUntil('ended', endedAll(from, ['101']), { everyMs: 20, timeoutMs: 15_000 });
  expect([...legs(from).values()]).toEqual([['101 ringing', '101 ended/missed']]);
});

test('no answer: nobody picks up and the PBX gives up after its ring time: 101 ends missed', async () => {
  const from = seen.length;
  await pair.drive.setPhone('101', { kind: 'noAnswer' });
  await pair.drive.callIn({ ...CUSTOMER, did: '5550100' });
  await waitUntil('ended', endedAll(from, ['101']), { everyMs: 20, timeoutMs: 15_000 });
  expect([...legs(from).values()]).toEqual([['101 ringing', '101 ended/missed']]);
});

test('failed: 101\'s line is congested; the call to it ends failed', async () => {
  const from = seen.length;
  await pair.drive.setPhone('101', { kind: 'congestion' });
  await pair.drive.callIn({ ...CUSTOMER, did: '5550100' });
  await waitUntil('ended', endedAll(from, ['101']), { everyMs: 20, timeoutMs: 15_000 });
  expect(ended(from, '101')).toEqual([expect.objectContaining({ result: 'failed', direction: 'inbound', phone: CUSTOMER.from })]);
});

test('busy: 103 is busy', async () => {
  const from = seen.length;
  await pair.drive.setPhone('103', { kind: 'busy' });
  await pair.drive.callIn({ from: '+12125550199', did: '5550500' });
  await waitUntil('ended', endedAll(from, ['103']), { everyMs: 20, timeoutMs: 15_000 });
  expect([...legs(from).values()].flat()).toEqual(expect.arrayContaining(['103 ended/busy']));
  expect(ended(from, '103')).toHaveLength(1);
});

test('ring group: 101 and 102 ring, 102 answers; 101 ends answered elsewhere, one call', async () => {
  const from = seen.length;
  await pair.drive.setPhone('101', { kind: 'noAnswer' });
  await pair.drive.setPhone('102', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
  await pair.drive.callIn({ ...CUSTOMER, did: '5550200' });
  await waitUntil('both ended', endedAll(from, ['101', '102']), { everyMs: 20, timeoutMs: 15_000 });
  const calls = legs(from);
  expect(calls.size).toBe(1);
  const [lines] = [...calls.values()];
  expect(lines!.filter((l) => l.startsWith('101'))).toEqual(['101 ringing', '101 ended/answered_elsewhere']);
  expect(lines!.filter((l) => l.startsWith('102'))).toEqual(['102 ringing', '102 answered', '102 ended/answered']);
});

test('hunt group: 101 busy, then 102 rings and answers; one call', async () => {
  const from = seen.length;
  await pair.drive.setPhone('101', { kind: 'busy' });
  await pair.drive.setPhone('102', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
  await pair.drive.callIn({ ...CUSTOMER, did: '5550300' });
  await waitUntil('102 ended', endedAll(from, ['102']), { everyMs: 20, timeoutMs: 15_000 });
  const calls = legs(from);
  expect(calls.size).toBe(1);
  const [lines] = [...calls.values()];
  expect(lines!.filter((l) => l.startsWith('102'))).toEqual(['102 ringing', '102 answered', '102 ended/answered']);
  // 101 was busy: its leg, if the PBX let it ring at all, ends as answered by a colleague, never as a missed call.
  expect(lines!.filter((l) => l.startsWith('101 ended'))).not.toContain('101 ended/missed');
});

test('queue (ring all, Local members): 101 answers, 102 ends answered elsewhere', async () => {
  const from = seen.length;
  await pair.drive.setPhone('101', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
  await pair.drive.setPhone('102', { kind: 'noAnswer' });
  await pair.drive.callIn({ ...CUSTOMER, did: '5550400' });
  await waitUntil('both ended', endedAll(from, ['101', '102']), { everyMs: 20, timeoutMs: 15_000 });
  const calls = legs(from);
  expect(calls.size).toBe(1);
  const [lines] = [...calls.values()];
  expect(lines!.filter((l) => l.startsWith('101'))).toEqual(['101 ringing', '101 answered', '101 ended/answered']);
  expect(lines!.filter((l) => l.startsWith('102'))).toEqual(['102 ringing', '102 ended/answered_elsewhere']);
});

test('outbound: 101 dials +14155550100; one outbound leg with the number dialled', async () => {
  const from = seen.length;
  await pair.drive.setOutside('+14155550100', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
  await pair.drive.dialOut('101', '+14155550100');
  await waitUntil('ended', endedAll(from, ['101']), { everyMs: 20, timeoutMs: 15_000 });
  expect([...legs(from).values()]).toEqual([['101 ringing', '101 answered', '101 ended/answered']]);
  expect(ended(from, '101')[0]).toMatchObject({ direction: 'outbound', phone: '+14155550100' });
});

test('internal: 101 calls 102; each sees the other\'s extension as the number', async () => {
  const from = seen.length;
  await pair.drive.setPhone('102', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
  await pair.drive.dialOut('101', '102');
  await waitUntil('both ended', endedAll(from, ['101', '102']), { everyMs: 20, timeoutMs: 15_000 });
  expect(ended(from, '101')[0]).toMatchObject({ direction: 'outbound', phone: '102', result: 'answered' });
  expect(ended(from, '102')[0]).toMatchObject({ direction: 'inbound', phone: '101', result: 'answered' });
});

test('blind transfer 101 -> 102: one call for the customer; 101\'s part ends, 102 rings and talks', async () => {
  const from = seen.length;
  await pair.drive.setPhone('101', { kind: 'answer', afterS: 1 });
  await pair.drive.setPhone('102', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
  await pair.drive.callIn({ ...CUSTOMER, did: '5550100' });
  await waitUntil('101 answered', () => seen.slice(from).some((e) => e.extension === '101' && e.state === 'answered'), { everyMs: 20, timeoutMs: 10_000 });
  await pair.drive.blindTransfer('101', '102');
  await waitUntil('both ended', endedAll(from, ['101', '102']), { everyMs: 20, timeoutMs: 15_000 });
  const calls = legs(from);
  expect(calls.size).toBe(1);
  const [lines] = [...calls.values()];
  expect(lines!.filter((l) => l.startsWith('101'))).toEqual(['101 ringing', '101 answered', '101 ended/answered']);
  expect(lines!.filter((l) => l.startsWith('102'))).toEqual(['102 ringing', '102 answered', '102 ended/answered']);
  expect(ended(from, '102')[0]).toMatchObject({ direction: 'inbound', phone: CUSTOMER.from });
});

test('attended transfer 101 -> 102 (AMI Atxfer): one call for the customer; 102 rings as 101\'s consultation, then has the customer', async () => {
  const from = seen.length;
  await pair.drive.setPhone('101', { kind: 'answer', afterS: 1 });
  await pair.drive.setPhone('102', { kind: 'answer', afterS: 1, hangUpAfterS: 2 });
  await pair.drive.callIn({ ...CUSTOMER, did: '5550100' });
  await waitUntil('101 answered', () => seen.slice(from).some((e) => e.extension === '101' && e.state === 'answered'), { everyMs: 20, timeoutMs: 10_000 });
  await pair.drive.attendedTransfer('101', '102');
  await waitUntil('both ended', endedAll(from, ['101', '102']), { everyMs: 20, timeoutMs: 20_000 });
  // Asterisk runs the consultation inside the customer's call (one Linkedid): one call, two legs.
  const calls = legs(from);
  expect(calls.size).toBe(1);
  const [lines] = [...calls.values()];
  expect(lines!.filter((l) => l.startsWith('101'))).toEqual(['101 ringing', '101 answered', '101 ended/answered']);
  expect(lines!.filter((l) => l.startsWith('102'))).toEqual(['102 ringing', '102 answered', '102 ended/answered']);
  // 102 was rung by 101 (internal), never as an outbound call of its own.
  expect(seen.slice(from).filter((e) => e.extension === '102').map((e) => `${e.direction} ${e.phone}`)).toEqual(['inbound 101', 'inbound 101', 'inbound 101']);
  expect(ended(from, '101')[0]).toMatchObject({ direction: 'inbound', phone: CUSTOMER.from });
});

test('click-to-call through AMI Originate: POST /originate rings 101, then the number; one outbound leg whose call_id is the request id', async () => {
  const from = seen.length;
  await pair.drive.setPhone('101', { kind: 'answer', afterS: 1 });
  // The relay dials E.164 numbers without their `+` (FreePBX's outbound routes match digits).
  await pair.drive.setOutside('14155237743', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
  const res = await fetch(`http://127.0.0.1:${port}/originate`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ number: '+14155237743', extension: '101' }),
  });
  const body = (await res.json()) as { ok?: boolean; id?: string };
  expect(res.status).toBe(200);
  await waitUntil('ended', endedAll(from, ['101']), { everyMs: 20, timeoutMs: 15_000 });
  expect([...legs(from).entries()]).toEqual([[body.id, ['101 ringing', '101 answered', '101 ended/answered']]]);
  expect(ended(from, '101')[0]).toMatchObject({ direction: 'outbound', phone: '+14155237743' });
});

test('the relay killed -9 mid-call: restarted, it logs in, resynchronises, and the call ends once in the widget', async () => {
  const from = seen.length;
  await pair.drive.setPhone('101', { kind: 'answer', afterS: 1, hangUpAfterS: 4 });
  await pair.drive.callIn({ ...CUSTOMER, did: '5550100' });
  await waitUntil('101 answered', () => seen.slice(from).some((e) => e.extension === '101' && e.state === 'answered'), { everyMs: 20, timeoutMs: 10_000 });
  relay!.kill('SIGKILL');
  await relay!.exited;
  await startRelay();
  expect((await health()).pbx).toMatchObject({ connected: true, last_resync: expect.objectContaining({ channels: expect.any(Number) }) });
  await waitUntil('ended', endedAll(from, ['101']), { everyMs: 20, timeoutMs: 20_000 });
  expect([...legs(from).values()]).toEqual([['101 ringing', '101 answered', '101 ended/answered']]);
});
