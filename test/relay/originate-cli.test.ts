/**
 * Click-to-call on the built relay's command line: --help lists the four flags, a bad
 * --originate-url (or a token without one) refuses the start naming the flag, and a relay
 * started with --originate-url and the token takes a widget's POST /originate (Kommo's one-time
 * token) to a PBX double with the bearer, with the timeout and interval of its flags; nothing
 * it prints carries a secret.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { envWithout, runCommand, startCommand } from '../support/command';
import type { RunningCommand } from '../support/command';
import { waitUntil } from '../support/wait';
import { BUILT_RELAY as MAIN, buildRelayIfStale, KOMMO, kommoJwt, PBX, TOKEN } from './harness';
import { pbxDouble, stopDoubles } from './pbx-double';

const ROOT = path.resolve(__dirname, '..', '..');
const ENV = envWithout(/^RELAY_/);
const ORIGINATE_TOKEN = 'originate-secret-value';

beforeAll(buildRelayIfStale, 120_000);

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCommand(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...ENV, ...env } });
const refusal = (message: string) => ({ code: 2, stdout: '', stderr: `relay: ${message} (see --help)\n` });

test('--help lists the click-to-call flags with their ranges, defaults and variables', async () => {
  const { code, stdout } = await run(['--help']);
  expect(code).toBe(0);
  for (const [flag, facts] of [
    ['--originate-url <url>', 'env RELAY_ORIGINATE_URL'],
    ['--originate-token <secret>', 'env RELAY_ORIGINATE_TOKEN'],
    ['--originate-timeout-ms <ms>', '500..60000; default 5000; env RELAY_ORIGINATE_TIMEOUT_MS'],
    ['--originate-interval-ms <ms>', '0..60000; default 3000; env RELAY_ORIGINATE_INTERVAL_MS'],
  ]) {
    expect(stdout).toContain(flag);
    expect(stdout).toContain(facts);
  }
  expect(stdout).toMatch(/--originate-url <url> +click-to-call: the http\(s\) URL of the PBX's originate endpoint/);
});

test('a bad --originate-url, a token without a URL, or a value out of range: one line naming the flag, exit 2', async () => {
  const start = (args: string[], env: NodeJS.ProcessEnv = {}) => run(['--pbx-token', PBX, '--token', TOKEN, ...args], env);
  const results = await Promise.all([
    start(['--originate-url', 'ftp://x']),
    start(['--originate-url', 'pbx.example.com/originate']),
    start(['--originate-url', 'https://admin:pw@pbx.example.com/originate']),
    start([], { RELAY_ORIGINATE_URL: 'ftp://x' }),
    start(['--originate-token', ORIGINATE_TOKEN]),
    start(['--originate-url', 'http://127.0.0.1:9/originate', '--originate-timeout-ms', '100']),
    start(['--originate-url', 'http://127.0.0.1:9/originate'], { RELAY_ORIGINATE_INTERVAL_MS: '60001' }),
    start(['--originate-url', 'http://127.0.0.1:9/originate'], { RELAY_ORIGINATE_TOKEN: '' }),
  ]);
  expect(results.map(({ code, stdout, stderr }) => ({ code, stdout, stderr }))).toEqual([
    refusal('--originate-url must be an http(s) URL (https://pbx.example.com/originate), got "ftp://x"'),
    refusal('--originate-url must be an http(s) URL (https://pbx.example.com/originate), got "pbx.example.com/originate"'),
    refusal('--originate-url must not carry credentials (user:password@): give the PBX\'s secret as the originate token'),
    refusal('--originate-url must be an http(s) URL (https://pbx.example.com/originate), got "ftp://x"'),
    refusal('--originate-token needs --originate-url (the PBX endpoint it is presented to)'),
    refusal('--originate-timeout-ms must be an integer 500..60000, got "100"'),
    refusal('RELAY_ORIGINATE_INTERVAL_MS (for --originate-interval-ms) must be an integer 0..60000, got "60001"'),
    refusal('RELAY_ORIGINATE_TOKEN (for --originate-token) is set but empty'),
  ]);
  // The refusal never echoes the credentials it found in the URL.
  expect(results[2]?.stderr).not.toContain('pw@');
});

describe('a running relay with --originate-url', () => {
  let running: RunningCommand | undefined;
  let dir = '';
  afterEach(async () => {
    running?.kill('SIGKILL');
    await running?.exited;
    running = undefined;
    await stopDoubles();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a Kommo one-time token\'s POST /originate reaches the PBX with the bearer; the interval and timeout flags hold; no secret is printed', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-originate-cli-'));
    const users = path.join(dir, 'users.json');
    fs.writeFileSync(users, JSON.stringify({ users: { '1001': ['101'], '1002': ['102'] } }));
    // Extension 102's calls are never answered: the timeout flag's test.
    const pbx = await pbxDouble((request) => (request.text.includes('"extension":"102"') ? 'hang' : { status: 200, body: { call_id: 'pbx-1' } }));
    running = startCommand(
      process.execPath,
      [MAIN, '--port', '0', '--data-dir', dir, '--pbx-token', PBX, '--kommo-secret', KOMMO.secret, '--kommo-account-id', String(KOMMO.accountId), '--kommo-origin', KOMMO.origin, '--users', users, '--originate-url', pbx.url, '--originate-timeout-ms', '500'],
      { cwd: ROOT, env: { ...ENV, RELAY_ORIGINATE_TOKEN: ORIGINATE_TOKEN, RELAY_ORIGINATE_INTERVAL_MS: '60000' } },
    );
    const started = running;
    await waitUntil('the relay prints its addresses', () => /data directory: .*\n/.test(started.stdout()), { everyMs: 10 });
    const url = /relay listening on (\S+)/.exec(started.stdout())?.[1] as string;
    expect(started.stdout()).toContain(`  click-to-call:   POST ${url}/originate  (PBX ${new URL(pbx.url).origin})\n`);

    // A real clock here: the one-time tokens are made now.
    const post = async (userId: number) => {
      const jwt = await kommoJwt(Date.now(), { user_id: userId });
      const res = await fetch(`${url}/originate`, { method: 'POST', headers: { Origin: KOMMO.origin, 'Content-Type': 'application/json', 'X-Auth-Token': jwt }, body: JSON.stringify({ number: '+74951234567' }) });
      return { jwt, status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const accepted = await post(1001);
    expect({ status: accepted.status, body: accepted.body }).toEqual({ status: 200, body: { ok: true, id: expect.any(String), extension: '101', number: '+74951234567', call_id: 'pbx-1' } });
    expect(pbx.received).toHaveLength(1);
    expect(pbx.received[0]?.headers.authorization).toBe(`Bearer ${ORIGINATE_TOKEN}`);
    expect(JSON.parse(pbx.received[0]?.text ?? '')).toEqual({ v: 1, id: accepted.body.id, extension: '101', number: '+74951234567', user_id: '1001' });
    // RELAY_ORIGINATE_INTERVAL_MS=60000: the same user again is held for a minute.
    expect(await post(1001)).toMatchObject({ status: 429, body: { error: 'rate_limited', retry_after: 60 } });
    // --originate-timeout-ms 500: a PBX that never answers is cut.
    const cut = await post(1002);
    expect({ status: cut.status, body: cut.body }).toEqual({ status: 504, body: { error: 'pbx_timeout', reason: 'the PBX did not answer within 500 ms' } });
    await waitUntil('the timeout is logged', () => started.stderr().includes('did not answer in time'), { everyMs: 10 });

    const printed = started.stdout() + started.stderr();
    for (const secret of [ORIGINATE_TOKEN, KOMMO.secret, accepted.jwt, cut.jwt]) expect(printed).not.toContain(secret);
    started.kill('SIGTERM');
    expect(await started.exited).toEqual({ code: 0, signal: null });
  });
});
