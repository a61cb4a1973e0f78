/**
 * The built relay's secrets as an operator meets them: no defaults, a refused start (exit 2, the
 * message naming what is missing or which entry is bad) without --pbx-token, without either the
 * Kommo settings or --token, with an empty secret or a bad users file; --dev starts and says it is
 * insecure; the Kommo settings from flags or the environment run the ticket flow, SIGHUP re-reads
 * the users file; and nothing it prints names a secret or a ticket.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { envWithout, runCommand, startCommand } from '../support/command';
import type { RunningCommand } from '../support/command';
import { waitUntil } from '../support/wait';
import { BUILT_RELAY as MAIN, buildRelayIfStale, client, event, KOMMO, kommoJwt, postTicket, stopAll } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');
const ENV = envWithout(/^RELAY_/);
let dir = '';

beforeAll(buildRelayIfStale, 120_000);
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-auth-cli-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const usersFile = (content: unknown, name = 'users.json') => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const kommoFlags = (users: string) => ['--kommo-secret', KOMMO.secret, '--kommo-account-id', String(KOMMO.accountId), '--kommo-origin', KOMMO.origin, '--users', users];
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCommand(process.execPath, [MAIN, '--data-dir', dir, ...args], { cwd: ROOT, env: { ...ENV, ...env } });
const refusal = (message: string) => ({ code: 2, stdout: '', stderr: `relay: ${message}\n` });

test('without its secrets, or with empty ones, the relay refuses to start: exit 2 and what is missing', async () => {
  const users = usersFile({ users: { '1001': ['101'] } });
  const results = await Promise.all([
    run([]),
    run(['--pbx-token', 'p']),
    run(['--token', 'w']),
    run(['--pbx-token', 'p', '--kommo-secret', 's', '--users', users]),
    run(['--pbx-token', 'p', ...kommoFlags(users).slice(2)]),
    run(['--pbx-token', 'p', '--token', '']),
    run(['--pbx-token', 'p', '--token', '  ']),
    run(['--token', 'w'], { RELAY_PBX_TOKEN: '' }),
    run(['--pbx-token', 'p', ...kommoFlags(users)], { RELAY_TOKEN: '' }),
    run(['--pbx-token', 'p', '--token', 'w', '--ticket-secret', 't']),
    run(['--pbx-token', 'p', ...kommoFlags(users), '--ticket-ttl-s', '30']),
  ]);
  expect(results.map(({ code, stdout, stderr }) => ({ code, stdout, stderr }))).toEqual([
    refusal('--pbx-token (or RELAY_PBX_TOKEN) is required: the secret the PBX presents on POST /pbx/events (see --help)'),
    refusal('widgets have no way to authenticate: give the Kommo settings (--kommo-secret, --kommo-account-id, --kommo-origin, --users) or the legacy --token (see --help)'),
    refusal('--pbx-token (or RELAY_PBX_TOKEN) is required: the secret the PBX presents on POST /pbx/events (see --help)'),
    refusal('the Kommo settings go together; missing: --kommo-account-id, --kommo-origin (see --help)'),
    refusal('the Kommo settings go together; missing: --kommo-secret (see --help)'),
    refusal('--token needs a value (see --help)'),
    refusal('--token needs a value (see --help)'),
    refusal('RELAY_PBX_TOKEN (for --pbx-token) is set but empty (see --help)'),
    refusal('RELAY_TOKEN (for --token) is set but empty (see --help)'),
    refusal('--ticket-secret and --ticket-ttl-s need the Kommo settings (--kommo-secret, --kommo-account-id, --kommo-origin, --users) (see --help)'),
    refusal('--ticket-ttl-s must be an integer 60..3600, got "30" (see --help)'),
  ]);
});

test('a bad users file or origin refuses the start, naming the entry', async () => {
  const start = (users: string, origin: string = KOMMO.origin) => run(['--pbx-token', 'p', ...kommoFlags(users).slice(0, 4), '--kommo-origin', origin, '--users', users]);
  const cases: Array<[unknown, string]> = [
    [{ users: { '1001': [101] } }, 'users["1001"][0] must be a string ("101", not 101), got 101'],
    [{ users: { alice: ['101'] } }, 'users["alice"]: "alice" is not a Kommo user id (digits only)'],
    [{ users: { '1001': ['101', '101'] } }, 'users["1001"][1]: "101" is listed twice'],
    [{ users: { '1001': '101' } }, 'users["1001"] must be a list of extensions, e.g. ["101"]'],
    [{ users: { '1001': ['10 1'] } }, 'users["1001"][0] must have no spaces or commas, got "10 1"'],
    [{ user: {} }, 'unknown key "user" (the file has one key, "users")'],
    ['{"users": ', 'is not JSON'],
  ];
  const results = await Promise.all(cases.map(([content], i) => start(usersFile(content, `users-${i}.json`))));
  results.forEach((result, i) => {
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
    expect(result.stderr).toContain(`relay: --users ${path.join(dir, `users-${i}.json`)}: ${cases[i]![1]}`);
  });
  const missing = await start(path.join(dir, 'nope.json'));
  expect(missing.stderr).toBe(`relay: --users ${path.join(dir, 'nope.json')}: cannot be read (ENOENT)\n`);
  const good = usersFile({ users: {} });
  const badOrigins = await Promise.all(['https://acme.kommo.com/widgets', 'acme.kommo.com', 'https://user:pw@acme.kommo.com'].map((origin) => start(good, origin)));
  expect(badOrigins.map((r) => r.code)).toEqual([2, 2, 2]);
  expect(badOrigins[0]!.stderr).toBe('relay: --kommo-origin: "https://acme.kommo.com/widgets" must be an origin only (scheme, host, port): no path, query or credentials (see --help)\n');
});

describe('a running relay', () => {
  let running: RunningCommand | undefined;
  afterEach(async () => {
    await stopAll();
    running?.kill('SIGKILL');
    await running?.exited;
    running = undefined;
  });

  const start = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    running = startCommand(process.execPath, [MAIN, '--port', '0', '--data-dir', dir, ...args], { cwd: ROOT, env: { ...ENV, ...env } });
    const started = running;
    await waitUntil('the relay prints its addresses', () => /data directory: .*\n/.test(started.stdout()), { everyMs: 10 });
    return { started, url: /relay listening on (\S+)/.exec(started.stdout())?.[1] as string };
  };

  test('--dev starts without secrets, says loudly that it is insecure, and takes the development values', async () => {
    const { started, url } = await start(['--dev']);
    // stderr and stdout are separate pipes: the warnings may arrive after the address lines.
    await waitUntil('both warnings on stderr', () => /WARNING: the legacy shared --token/.test(started.stderr()), { everyMs: 10 });
    const lines = started.stderr().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\S+Z relay: INSECURE: --dev is on; .*Never use --dev on a relay other people can reach \{"dev_values_for":\["--pbx-token","--token"\]\}$/);
    expect(lines[1]).toMatch(/relay: WARNING: the legacy shared --token is on/);
    const posted = await fetch(`${url}/pbx/events`, { method: 'POST', headers: { Authorization: 'Bearer dev-pbx-token', 'Content-Type': 'application/json' }, body: JSON.stringify(event('c1', 'ringing')) });
    expect(posted.status).toBe(200);
    const ws = await client(`${url.replace('http:', 'ws:')}/ws`, { type: 'subscribe', v: 2, token: 'dev-widget-token', extensions: ['101'] });
    expect(await ws.frame('snapshot')).toMatchObject({ calls: [{ call_id: 'c1' }] });
  });

  test('the Kommo settings from the environment run the ticket flow; SIGHUP re-reads the users file; no secret or ticket is ever printed', async () => {
    const users = usersFile({ users: { '1001': ['101'] } });
    const env = { RELAY_KOMMO_SECRET: KOMMO.secret, RELAY_KOMMO_ACCOUNT_ID: String(KOMMO.accountId), RELAY_KOMMO_ORIGIN: KOMMO.origin, RELAY_USERS: users, RELAY_TICKET_SECRET: KOMMO.ticketSecret };
    const { started, url } = await start(['--pbx-token', 'pbx-secret-value', '--token', 'shared-secret-value'], env);
    expect(started.stdout()).toContain(`widget tickets:  POST ${url}/ticket  (Kommo account ${KOMMO.accountId}, 1 users in ${users})`);
    // A real clock here: the one-time token is made now.
    const jwt = await kommoJwt(Date.now(), { user_id: 1002 });
    const before = await postTicket(url, jwt);
    expect(before.body).toMatchObject({ user_id: '1002', extensions: [] });

    fs.writeFileSync(users, JSON.stringify({ users: { '1001': ['101'], '1002': ['102'] } }));
    started.kill('SIGHUP');
    await waitUntil('the re-read is logged', () => started.stderr().includes('users file re-read'), { everyMs: 10 });
    const after = await postTicket(url, jwt);
    expect(after.body).toMatchObject({ user_id: '1002', extensions: ['102'] });
    const ws = await client(`${url.replace('http:', 'ws:')}/ws`, { type: 'subscribe', v: 2, ticket: after.body.ticket, extensions: ['102'] });
    await ws.frame('snapshot');

    // A broken file at a re-read is logged; the previous map stays.
    fs.writeFileSync(users, '{"users": {"1002": [102]}}');
    started.kill('SIGHUP');
    await waitUntil('the refused re-read is logged', () => started.stderr().includes('not re-read'), { everyMs: 10 });
    expect((await postTicket(url, jwt)).body).toMatchObject({ extensions: ['102'] });
    expect(started.stderr()).toContain('users[\\"1002\\"][0] must be a string'); // JSON-escaped in the log's context

    const printed = started.stdout() + started.stderr();
    for (const secret of [KOMMO.secret, KOMMO.ticketSecret, 'pbx-secret-value', 'shared-secret-value', jwt, before.body.ticket as string, after.body.ticket as string]) {
      expect(printed).not.toContain(secret);
    }
    started.kill('SIGTERM');
    expect(await started.exited).toEqual({ code: 0, signal: null });
  });
});
