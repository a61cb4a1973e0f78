/**
 * The relay's call log (issue 16) against the fixture CRM over real loopback HTTP: the PBX posts
 * call events to the relay, and what reaches Kommo's cards is checked there (calls, incoming
 * leads, contacts, tasks), with Kommo answering 500, 429 and 401 meanwhile; and what the widget's
 * settings panel is told (`GET /call-log`). Real timers with a short settle; every wait watches
 * the CRM or the relay, nothing sleeps a fixed time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SEED_NUMBERS, SEED_USERS, startCrmServer } from '../../scripts/crm';
import type { Crm } from '../../scripts/crm';
import { startRelay } from '../../relay/src';
import type { RunningRelay } from '../../relay/src';
import { createKommoApi } from '../../relay/src/kommo/client';
import { createKommoLimiter } from '../../relay/src/kommo/limiter';
import type { CallLogConfig } from '../../relay/src/calllog/types';
import { parseUnknownCallers } from '../../relay/src/calllog/unknown-callers';
import { waitUntil } from '../support/wait';
import { kommoAuth, kommoJwt, PBX } from './harness';

const ADAM = 5760184;
const LAMA_LEAD = 5102790;
const MINUTE = 60_000;

let crm: { url: string; crm: Crm; close(): Promise<void> };
let relay: RunningRelay | null = null;
let dir = '';

function config(extra: Partial<CallLogConfig> = {}, unknown = 'inbound=lead,outbound=nothing'): CallLogConfig {
  const policy = parseUnknownCallers(unknown);
  if (!policy.ok) throw new Error(policy.reason);
  return { source: 'Test PBX', unknownCallers: policy.policy, callBackTask: { delayMs: 30 * MINUTE, closeOnAnsweredCall: true }, settleMs: 40, ...extra };
}

async function start(options: { config?: CallLogConfig; dataDir?: string; token?: string } = {}): Promise<RunningRelay> {
  // Fast retries, so a test of Kommo's faults waits milliseconds, not the production seconds.
  const api = createKommoApi({ baseUrl: crm.url, token: options.token ?? crm.crm.apiToken ?? 'sandbox-api-token', limiter: createKommoLimiter({ rule: { perWindow: 50 } }) });
  relay = await startRelay({
    pbxToken: PBX,
    auth: kommoAuth({ users: new Map([['1001', ['101']], ['1002', ['102']], ['1003', ['103']]]) }),
    port: 0,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    callLog: { api, config: options.config ?? config(), backoff: { baseMs: 20, maxMs: 200 } },
  });
  return relay;
}

async function post(events: Array<Record<string, unknown>>): Promise<void> {
  const answer = await fetch(`${relay!.url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(events) });
  expect(answer.status).toBe(200);
}

const ev = (callId: string, state: string, extension: string, extra: Record<string, unknown> = {}) => ({ call_id: callId, state, direction: 'inbound', phone: SEED_NUMBERS.adamNoah, extension, ...extra });

/** A call answered on 101 and hung up after `duration` s. */
async function talked(callId: string, phone: string, extension = '101', duration = 42, direction = 'inbound'): Promise<void> {
  await post([ev(callId, 'ringing', extension, { phone, direction }), ev(callId, 'answered', extension, { phone, direction })]);
  await post([ev(callId, 'ended', extension, { phone, direction, duration, result: 'answered', recording_url: `https://pbx.example.com/rec/${callId}.mp3` })]);
}

const callsOf = (uniq: string) => crm.crm.calls.filter((c) => c.uniq === uniq);
const status = async () => (await (await fetch(`${relay!.url}/health`, { headers: { Authorization: `Bearer ${PBX}` } })).json()) as { call_log: Record<string, unknown> };

beforeEach(async () => {
  crm = await startCrmServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-call-log-'));
});
afterEach(async () => {
  await relay?.close();
  relay = null;
  await crm.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('each completed call is logged once on the customer\'s card', () => {
  test('a talked inbound call: on Adam Noah\'s card, by the extension\'s user, with its talk time, recording and uniq', async () => {
    await start();
    await talked('c-1', SEED_NUMBERS.adamNoah);
    await waitUntil('the call on the card', () => callsOf('c-1').length === 1);
    expect(callsOf('c-1')[0]).toMatchObject({
      entity_type: 'contacts',
      entity_id: ADAM,
      direction: 'inbound',
      duration: 42,
      source: 'Test PBX',
      call_status: 4,
      responsible_user_id: 1001,
      created_by: 1001,
      link: 'https://pbx.example.com/rec/c-1.mp3',
    });
    expect(crm.crm.timeline('contacts', ADAM)).toEqual([expect.objectContaining({ kind: 'call', uniq: 'c-1', duration: 42 })]);
    // The PBX resends its last event: nothing more reaches Kommo.
    await post([ev('c-1', 'ended', '101', { duration: 42, result: 'answered' })]);
    await waitUntil('the outbox idle', async () => (await status()).call_log.pending === 0);
    expect(callsOf('c-1')).toHaveLength(1);
  });

  test('a company with one active lead: the call lands on the lead', async () => {
    await start();
    await talked('c-lead', SEED_NUMBERS.lamaCompany);
    await waitUntil('the call on the card', () => callsOf('c-lead').length === 1);
    expect(callsOf('c-lead')[0]).toMatchObject({ entity_type: 'leads', entity_id: LAMA_LEAD });
  });

  test('a ring group answered by 102: one call, by 102\'s user, not one per leg', async () => {
    await start();
    await post([ev('g-1', 'ringing', '101'), ev('g-1', 'ringing', '102'), ev('g-1', 'ringing', '103')]);
    await post([ev('g-1', 'answered', '102'), ev('g-1', 'ended', '101', { result: 'answered_elsewhere' }), ev('g-1', 'ended', '103', { result: 'answered_elsewhere' })]);
    await post([ev('g-1', 'ended', '102', { duration: 17, result: 'answered' })]);
    await waitUntil('the call on the card', () => callsOf('g-1').length === 1);
    await waitUntil('the outbox idle', async () => (await status()).call_log.pending === 0);
    expect(crm.crm.calls.filter((c) => c.uniq === 'g-1')).toEqual([expect.objectContaining({ responsible_user_id: 1002, duration: 17, call_status: 4 })]);
  });

  test('a transfer from 101 to 102: one call for the customer, the talk time of both, by 102', async () => {
    await start();
    await post([ev('t-1', 'ringing', '101'), ev('t-1', 'answered', '101')]);
    await post([ev('t-1', 'ended', '101', { duration: 10, result: 'answered' }), ev('t-1', 'ringing', '102')]);
    await post([ev('t-1', 'answered', '102')]);
    await post([ev('t-1', 'ended', '102', { duration: 25, result: 'answered' })]);
    await waitUntil('the call on the card', () => callsOf('t-1').length === 1);
    await waitUntil('the outbox idle', async () => (await status()).call_log.pending === 0);
    expect(callsOf('t-1')).toEqual([expect.objectContaining({ responsible_user_id: 1002, duration: 35 })]);
  });

  test('a withheld number and an internal call are not logged: there is no customer', async () => {
    await start();
    await talked('w-1', '');
    await talked('i-1', '102');
    await talked('c-2', SEED_NUMBERS.adamNoah);
    await waitUntil('the next call on the card', () => callsOf('c-2').length === 1);
    expect(crm.crm.calls.map((c) => c.uniq)).toEqual(['c-2']);
  });
});

describe('a caller Kommo does not know, by the policy of each direction and outcome', () => {
  test('default: an inbound unknown caller is an incoming lead with the call in its metadata; an outbound one adds nothing', async () => {
    await start();
    await talked('u-in', SEED_NUMBERS.unknown);
    await talked('u-out', '+1 202 555 0123', '101', 5, 'outbound');
    await waitUntil('the incoming lead', () => crm.crm.unsorted.length === 1);
    await waitUntil('the outbox idle', async () => (await status()).call_log.pending === 0);
    expect(crm.crm.unsorted[0]).toMatchObject({ source_uid: 'u-in', metadata: expect.objectContaining({ uniq: 'u-in', duration: 42, link: 'https://pbx.example.com/rec/u-in.mp3' }) });
    expect(crm.crm.calls).toEqual([]);
  });

  test('contact: a new contact with the number, and the call on it; a missed one gets its call-back task there', async () => {
    await start({ config: config({}, 'inbound=contact,outbound=nothing') });
    await post([ev('u-missed', 'ringing', '101', { phone: SEED_NUMBERS.unknown }), ev('u-missed', 'ended', '101', { phone: SEED_NUMBERS.unknown, result: 'missed' })]);
    await waitUntil('the call on a new contact', () => callsOf('u-missed').length === 1);
    const call = callsOf('u-missed')[0]!;
    expect(call).toMatchObject({ entity_type: 'contacts', call_status: 6 });
    await waitUntil('the call-back task', () => crm.crm.tasks.length === 1);
    expect(crm.crm.tasks[0]).toMatchObject({ entity_type: 'contacts', entity_id: call.entity_id, task_type_id: 1, responsible_user_id: 1001, is_completed: false });
  });

  test('nothing: only the bell knows', async () => {
    await start({ config: config({}, 'inbound=nothing,outbound=nothing') });
    await talked('u-none', SEED_NUMBERS.unknown);
    await talked('c-3', SEED_NUMBERS.adamNoah);
    await waitUntil('the known caller\'s call', () => callsOf('c-3').length === 1);
    await waitUntil('the outbox idle', async () => (await status()).call_log.pending === 0);
    expect(crm.crm.unsorted).toEqual([]);
    expect(crm.crm.calls.map((c) => c.uniq)).toEqual(['c-3']);
  });
});

describe('a missed inbound call gets a call-back task, closed by a call back', () => {
  test('for the card\'s responsible user, due after the delay; an answered call back before then completes it', async () => {
    await start();
    await post([ev('m-1', 'ringing', '102'), ev('m-1', 'ended', '102', { result: 'missed' })]);
    await waitUntil('the call-back task', () => crm.crm.tasks.length === 1);
    const task = crm.crm.tasks[0]!;
    // Adam's card is the manager's, though extension 102 (user 1002) missed the call.
    expect(task).toMatchObject({ entity_type: 'contacts', entity_id: ADAM, task_type_id: 1, responsible_user_id: SEED_USERS.manager, is_completed: false });
    expect(task.text).toContain('m-1');
    const missedAt = callsOf('m-1')[0]!.created_at;
    expect(task.complete_till - missedAt).toBeGreaterThanOrEqual(30 * 60);
    expect(task.complete_till - missedAt).toBeLessThanOrEqual(30 * 60 + 5);
    // The manager calls Adam back from 101, and they talk.
    await talked('cb-1', '+18305803077', '101', 30, 'outbound');
    await waitUntil('the task completed', () => crm.crm.tasks[0]!.is_completed);
    expect(crm.crm.tasks[0]!.result_text).toContain('cb-1');
  });

  test('--call-back-tasks keep: the call back leaves the task for the manager; off: no task', async () => {
    await start({ config: config({ callBackTask: { delayMs: 30 * MINUTE, closeOnAnsweredCall: false } }) });
    await post([ev('m-2', 'ringing', '101'), ev('m-2', 'ended', '101', { result: 'missed' })]);
    await waitUntil('the call-back task', () => crm.crm.tasks.length === 1);
    await talked('cb-2', SEED_NUMBERS.adamNoah);
    await waitUntil('the call back logged', () => callsOf('cb-2').length === 1);
    await waitUntil('the outbox idle', async () => (await status()).call_log.pending === 0);
    expect(crm.crm.tasks[0]!.is_completed).toBe(false);
    await relay!.close();
    await start({ config: config({ callBackTask: null }) });
    await post([ev('m-3', 'ringing', '101'), ev('m-3', 'ended', '101', { result: 'missed' })]);
    await waitUntil('the missed call logged', () => callsOf('m-3').length === 1);
    await waitUntil('the outbox idle', async () => (await status()).call_log.pending === 0);
    expect(crm.crm.tasks).toHaveLength(1);
  });
});

describe('nothing lost, nothing doubled', () => {
  test('Kommo answering 500, then 429: the call is logged once it recovers, once', async () => {
    await start();
    crm.crm.setFaults({ status: 500 });
    await talked('f-1', SEED_NUMBERS.adamNoah);
    await waitUntil('a retry for the 500', async () => String((await status()).call_log.lastRetryReason ?? '').includes('500'));
    crm.crm.setFaults({ status: 429, retryAfterS: 1 });
    await waitUntil('a retry for the 429', async () => String((await status()).call_log.lastRetryReason ?? '').includes('429'));
    crm.crm.setFaults({});
    await waitUntil('the call on the card', () => callsOf('f-1').length === 1);
    await waitUntil('the outbox idle', async () => (await status()).call_log.pending === 0);
    expect(callsOf('f-1')).toHaveLength(1);
  });

  test('a revoked token (401): the status says so, nothing is lost, and the calls are logged with the new token after a restart', async () => {
    await start({ dataDir: dir });
    crm.crm.revokeApiToken();
    await talked('r-1', SEED_NUMBERS.adamNoah);
    await waitUntil('the relay knows the token is refused', async () => (await status()).call_log.problem === 'unauthorized');
    const jwt = await kommoJwt(Date.now());
    const seen = (await (await fetch(`${relay!.url}/call-log`, { headers: { 'X-Auth-Token': jwt } })).json()) as Record<string, unknown>;
    expect(seen).toMatchObject({ configured: true, healthy: false, problem: 'unauthorized', pending: 1 });
    await relay!.close();
    crm.crm.issueApiToken('a-new-long-lived-token');
    await start({ dataDir: dir, token: 'a-new-long-lived-token' });
    await waitUntil('the call on the card', () => callsOf('r-1').length === 1);
  });

  test('a restart while Kommo holds the write: logged once after it, from the outbox on disk', async () => {
    await start({ dataDir: dir });
    crm.crm.setFaults({ hang: true });
    await talked('k-1', SEED_NUMBERS.adamNoah);
    await waitUntil('the write in flight', () => crm.crm.requests.some((r) => r.path === '/api/v4/calls'));
    // The relay stops with the write unanswered; Kommo never got it.
    const closing = relay!.close();
    crm.crm.setFaults({});
    await closing;
    await start({ dataDir: dir });
    await waitUntil('the call on the card', () => callsOf('k-1').length === 1);
    await waitUntil('the outbox idle', async () => (await status()).call_log.pending === 0);
    expect(callsOf('k-1')).toHaveLength(1);
  });

  test('a call that ended while the relay was down is logged when it starts again', async () => {
    // A settle delay the relay does not live to see the end of.
    await start({ dataDir: dir, config: config({ settleMs: 60_000 }) });
    await post([ev('d-1', 'ringing', '101'), ev('d-1', 'answered', '101'), ev('d-1', 'ended', '101', { duration: 8, result: 'answered' })]);
    await relay!.close();
    expect(crm.crm.calls).toEqual([]);
    await start({ dataDir: dir });
    await waitUntil('the call on the card', () => callsOf('d-1').length === 1);
    // Restarted again: the call is in the store still, and logged already.
    await relay!.close();
    await start({ dataDir: dir });
    await waitUntil('the outbox idle', async () => (await status()).call_log.pending === 0);
    expect(callsOf('d-1')).toHaveLength(1);
  });

  test('a write Kommo refuses for good (400) is kept aside with its reason, not retried, and the admin is told', async () => {
    await start();
    crm.crm.setFaults({ status: 400 });
    await talked('b-1', SEED_NUMBERS.adamNoah);
    await waitUntil('the write kept aside', async () => (await status()).call_log.failed === 1);
    const tried = crm.crm.requests.filter((r) => r.path === '/api/v4/calls').length;
    const health = await status();
    expect(health.call_log).toMatchObject({ problem: 'refused', pending: 0, failed: 1, failures: [expect.objectContaining({ kind: 'log-call', reason: expect.stringContaining('400') })] });
    const jwt = await kommoJwt(Date.now());
    const seen = (await (await fetch(`${relay!.url}/call-log`, { headers: { 'X-Auth-Token': jwt } })).json()) as { failures: Array<{ reason: string }> };
    expect(seen).toMatchObject({ configured: true, healthy: false, problem: 'refused', failed: 1 });
    // The browser is told the reason, never a caller's number.
    expect(JSON.stringify(seen)).not.toMatch(/830.?580/);
    crm.crm.setFaults({});
    await talked('b-2', SEED_NUMBERS.adamNoah);
    await waitUntil('the next call on the card', () => callsOf('b-2').length === 1);
    expect(crm.crm.requests.filter((r) => r.path === '/api/v4/calls').length).toBe(tried + 1);
  });
});

describe('GET /call-log, for the widget\'s settings panel', () => {
  test('needs a signed-in user; a relay without the call log says it is off; no secret in any answer', async () => {
    relay = await startRelay({ pbxToken: PBX, auth: kommoAuth(), port: 0 });
    expect((await fetch(`${relay.url}/call-log`)).status).toBe(401);
    const jwt = await kommoJwt(Date.now());
    const answer = await fetch(`${relay.url}/call-log`, { headers: { 'X-Auth-Token': jwt, Origin: 'https://acme.kommo.com' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://acme.kommo.com');
    expect(await answer.json()).toEqual({ configured: false });
    await relay.close();
    await start();
    await talked('s-1', SEED_NUMBERS.adamNoah);
    await waitUntil('the call on the card', () => callsOf('s-1').length === 1);
    const healthy = await (await fetch(`${relay!.url}/call-log`, { headers: { 'X-Auth-Token': await kommoJwt(Date.now()) } })).text();
    expect(JSON.parse(healthy)).toMatchObject({ configured: true, healthy: true, problem: null, pending: 0, failed: 0, last_success_at: expect.any(Number) });
    expect(healthy).not.toContain('sandbox-api-token');
  });
});
