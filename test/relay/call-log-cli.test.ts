/**
 * The call log on the built relay's command line, as an operator starts it: --help lists its
 * flags; a bad policy, an API URL without a token, or a token without an API address refuses
 * the start naming the flag; and a relay started with the token logs calls in the fixture CRM,
 * survives `kill -9` with a write Kommo had not answered (logged once after the restart), and
 * never prints the token.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SEED_NUMBERS, startCrmServer } from '../../scripts/crm';
import { envWithout, runCommand, startCommand } from '../support/command';
import type { RunningCommand } from '../support/command';
import { waitUntil } from '../support/wait';
import { BUILT_RELAY as MAIN, buildRelayIfStale, KOMMO, PBX, TOKEN } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');
const ENV = envWithout(/^RELAY_/);
const API_TOKEN = 'private-integration-long-lived-token';

beforeAll(buildRelayIfStale, 120_000);

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCommand(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...ENV, ...env } });
const refusal = (message: string) => ({ code: 2, stdout: '', stderr: `relay: ${message} (see --help)\n` });

test('--help lists the call log\'s flags with their defaults and variables', async () => {
  const { code, stdout } = await run(['--help']);
  expect(code).toBe(0);
  for (const [flag, facts] of [
    ['--kommo-api-token <secret>', 'env RELAY_KOMMO_API_TOKEN'],
    ['--kommo-api-url <url>', 'env RELAY_KOMMO_API_URL'],
    ['--unknown-callers <policy>', 'default inbound=lead,outbound=nothing; env RELAY_UNKNOWN_CALLERS'],
    ['--call-back-tasks <mode>', 'one of close-on-answer, keep, off; default close-on-answer; env RELAY_CALL_BACK_TASKS'],
    ['--call-back-task-delay-min <min>', '0..10080; default 30; env RELAY_CALL_BACK_TASK_DELAY_MIN'],
    ['--kommo-api-rps <n>', '1..7; default 6; env RELAY_KOMMO_API_RPS'],
  ]) {
    expect(stdout).toContain(flag);
    expect(stdout).toContain(facts);
  }
});

test('a bad policy, an API URL without a token, a token without an address: one line naming the flag, exit 2', async () => {
  const start = (args: string[], env: NodeJS.ProcessEnv = {}) => run(['--pbx-token', PBX, '--token', TOKEN, ...args], env);
  const results = await Promise.all([
    start(['--kommo-api-url', 'https://acme.kommo.com']),
    start([], { RELAY_KOMMO_API_TOKEN: API_TOKEN }),
    start(['--kommo-api-url', 'ftp://acme.kommo.com'], { RELAY_KOMMO_API_TOKEN: API_TOKEN }),
    start(['--kommo-api-url', 'https://acme.kommo.com', '--unknown-callers', 'inbound=deal'], { RELAY_KOMMO_API_TOKEN: API_TOKEN }),
    start(['--kommo-api-url', 'https://acme.kommo.com', '--unknown-callers', 'sideways=lead'], { RELAY_KOMMO_API_TOKEN: API_TOKEN }),
    start(['--kommo-api-url', 'https://acme.kommo.com', '--kommo-api-rps', '8'], { RELAY_KOMMO_API_TOKEN: API_TOKEN }),
    start([], { RELAY_KOMMO_API_TOKEN: '' }),
  ]);
  expect(results.map(({ code, stdout, stderr }) => ({ code, stdout, stderr }))).toEqual([
    refusal('--kommo-api-url needs --kommo-api-token (the call log is off without it)'),
    refusal('--kommo-api-token needs --kommo-api-url (or --kommo-origin): the account\'s https://<subdomain>.kommo.com'),
    refusal('--kommo-api-url: Kommo baseUrl must be the account\'s https://<subdomain>.kommo.com (http only for a loopback host), got "ftp://acme.kommo.com"'),
    refusal('--unknown-callers "inbound=deal": the action is one of lead, contact, nothing'),
    refusal('--unknown-callers "sideways=lead": the direction is one of inbound, outbound'),
    refusal('--kommo-api-rps must be an integer 1..7, got "8"'),
    refusal('RELAY_KOMMO_API_TOKEN (for --kommo-api-token) is set but empty'),
  ]);
  for (const { stderr } of results) expect(stderr).not.toContain(API_TOKEN);
});

describe('a running relay with the call log', () => {
  let running: RunningCommand | undefined;
  let dir = '';
  let crm: Awaited<ReturnType<typeof startCrmServer>> | undefined;
  afterEach(async () => {
    running?.kill('SIGKILL');
    await running?.exited;
    running = undefined;
    await crm?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function startRelayProcess(): Promise<{ url: string; process: RunningCommand }> {
    const args = [MAIN, '--port', '0', '--data-dir', dir, '--pbx-token', PBX, '--kommo-secret', KOMMO.secret, '--kommo-account-id', String(KOMMO.accountId), '--kommo-origin', KOMMO.origin, '--users', path.join(dir, 'users.json'), '--kommo-api-url', crm!.url, '--call-log-settle-ms', '50'];
    const started = startCommand(process.execPath, args, { cwd: ROOT, env: { ...ENV, RELAY_KOMMO_API_TOKEN: API_TOKEN } });
    running = started;
    await waitUntil('the relay prints its addresses', () => /data directory: .*\n/.test(started.stdout()) || started.stderr() !== '', { everyMs: 10 });
    const url = /relay listening on (\S+)/.exec(started.stdout())?.[1];
    if (url === undefined) throw new Error(`the relay did not start: ${started.stderr()}`);
    return { url, process: started };
  }

  const post = (url: string, events: unknown[]) => fetch(`${url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(events) });
  const call = (id: string, state: string, extra: Record<string, unknown> = {}) => ({ call_id: id, state, direction: 'inbound', phone: SEED_NUMBERS.adamNoah, extension: '101', ...extra });

  test('logs a call; killed -9 with a write unanswered, it logs that call once after the restart; the token is never printed', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-call-log-cli-'));
    fs.writeFileSync(path.join(dir, 'users.json'), JSON.stringify({ users: { '1001': ['101'] } }));
    crm = await startCrmServer(undefined, { apiToken: API_TOKEN });
    let relay = await startRelayProcess();
    expect(relay.process.stdout()).toContain(`  call log:        ${crm.url}/api/v4/calls  (source "Telephony relay")\n`);

    expect((await post(relay.url, [call('cli-1', 'ringing'), call('cli-1', 'answered'), call('cli-1', 'ended', { duration: 20, result: 'answered' })])).status).toBe(200);
    await waitUntil('the first call on the card', () => crm!.crm.calls.some((c) => c.uniq === 'cli-1'), { everyMs: 10 });
    expect(crm.crm.calls[0]).toMatchObject({ entity_id: 5760184, responsible_user_id: 1001, created_by: 1001, duration: 20, source: 'Telephony relay' });

    // Kommo holds the next write; the relay is killed before it is answered.
    crm.crm.setFaults({ hang: true });
    expect((await post(relay.url, [call('cli-2', 'ringing'), call('cli-2', 'ended', { result: 'missed' })])).status).toBe(200);
    await waitUntil('the write in flight', () => crm!.crm.requests.filter((r) => r.path === '/api/v4/calls').length === 2, { everyMs: 10 });
    relay.process.kill('SIGKILL');
    expect(await relay.process.exited).toEqual({ code: null, signal: 'SIGKILL' });
    crm.crm.setFaults({});

    relay = await startRelayProcess();
    await waitUntil('the second call on the card', () => crm!.crm.calls.some((c) => c.uniq === 'cli-2'), { everyMs: 10 });
    // Its call-back task too, and then nothing more: every write done once.
    await waitUntil('the call-back task', () => crm!.crm.tasks.length === 1, { everyMs: 10 });
    const health = async () => ((await (await fetch(`${relay.url}/health`, { headers: { Authorization: `Bearer ${PBX}` } })).json()) as { call_log: { pending: number; done: number } }).call_log;
    await waitUntil('the outbox idle', async () => (await health()).pending === 0, { everyMs: 20 });
    expect(crm.crm.calls.map((c) => c.uniq)).toEqual(['cli-1', 'cli-2']);
    expect(crm.crm.tasks).toHaveLength(1);
    for (const printed of [relay.process.stdout(), relay.process.stderr()]) expect(printed).not.toContain(API_TOKEN);
    relay.process.kill('SIGTERM');
    expect(await relay.process.exited).toEqual({ code: 0, signal: null });
  });
});
