/**
 * The Asterisk adapter on the built relay's command line, as an operator starts it: --help lists
 * its flags; flags that are wrong together refuse the start naming the flag (exit 2); a relay
 * started against an AMI that refuses its login still serves, says so in /health, and never
 * prints the secret.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeAmi } from '../../support/fake-ami';
import type { FakeAmi } from '../../support/fake-ami';
import { envWithout, runCommand, startCommand } from '../../support/command';
import type { RunningCommand } from '../../support/command';
import { waitUntil } from '../../support/wait';
import { BUILT_RELAY as MAIN, buildRelayIfStale, PBX, TOKEN } from '../harness';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ENV = envWithout(/^RELAY_/);
const SECRET = 'ami-secret-of-the-relay-user';

beforeAll(buildRelayIfStale, 120_000);

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCommand(process.execPath, [MAIN, '--pbx-token', PBX, '--token', TOKEN, ...args], { cwd: ROOT, env: { ...ENV, ...env } });
const refusal = (message: string) => ({ code: 2, stdout: '', stderr: `relay: ${message} (see --help)\n` });

test('--help lists the Asterisk flags with their defaults and variables', async () => {
  const { code, stdout } = await runCommand(process.execPath, [MAIN, '--help'], { cwd: ROOT, env: ENV });
  expect(code).toBe(0);
  for (const [flag, facts] of [
    ['--ami-host <address>', 'env RELAY_AMI_HOST'],
    ['--ami-port <n>', '1..65535; default 5038; env RELAY_AMI_PORT'],
    ['--ami-secret <secret>', 'env RELAY_AMI_SECRET'],
    ['--asterisk-originate-channel <template>', 'default SIP/{extension}'],
    ['--recordings-dir <path>', 'default /var/spool/asterisk/monitor'],
    ['--recording-secret <secret>', 'env RELAY_RECORDING_SECRET'],
  ]) {
    expect(stdout).toContain(flag);
    expect(stdout).toContain(facts);
  }
});

test('flags wrong together: one line naming the flag, exit 2, no secret echoed', async () => {
  const results = await Promise.all([
    run(['--ami-user', 'relay']),
    run(['--ami-host', '127.0.0.1']),
    run(['--ami-host', '127.0.0.1', '--ami-user', 'relay']),
    run(['--ami-host', '127.0.0.1', '--ami-user', 'relay', '--ami-tls-ca', '/etc/ca.pem'], { RELAY_AMI_SECRET: SECRET }),
    run(['--ami-host', '127.0.0.1', '--ami-user', 'relay', '--ami-tls', '--ami-tls-ca', '/nonexistent/ca.pem'], { RELAY_AMI_SECRET: SECRET }),
    run(['--ami-host', '127.0.0.1', '--ami-user', 'relay', '--asterisk-extension-pattern', '(['], { RELAY_AMI_SECRET: SECRET }),
    run(['--ami-host', '127.0.0.1', '--ami-user', 'relay', '--asterisk-originate-channel', 'SIP/101'], { RELAY_AMI_SECRET: SECRET }),
    run(['--ami-host', '127.0.0.1', '--ami-user', 'relay', '--recording-url', 'https://pbx/{path}', '--recording-secret', 'sixteen-characters!'], { RELAY_AMI_SECRET: SECRET }),
    run(['--ami-host', '127.0.0.1', '--ami-user', 'relay', '--recording-secret', 'short'], { RELAY_AMI_SECRET: SECRET }),
    run(['--ami-host', '127.0.0.1', '--ami-user', 'relay', '--recording-secret', 'sixteen-characters!'], { RELAY_AMI_SECRET: SECRET }),
    run(['--ami-host', '127.0.0.1', '--ami-user', 'relay', '--recording-url', 'https://pbx/{nope}'], { RELAY_AMI_SECRET: SECRET }),
    run(['--ami-host', '127.0.0.1', '--ami-user', 'relay'], { RELAY_AMI_SECRET: '' }),
  ]);
  expect(results.map(({ code, stdout, stderr }) => ({ code, stdout, stderr }))).toEqual([
    refusal('--ami-user needs --ami-host (the Asterisk adapter is off without it)'),
    refusal('--ami-host needs --ami-user (the manager.conf user the relay logs in as)'),
    refusal('--ami-host needs --ami-secret (or RELAY_AMI_SECRET)'),
    refusal('--ami-tls-ca needs --ami-tls'),
    refusal('--ami-tls-ca cannot be read: ENOENT (/nonexistent/ca.pem)'),
    refusal('--asterisk-extension-pattern is not a regular expression: "(["'),
    refusal('--asterisk-originate-channel must contain {extension}'),
    refusal('give --recording-url (your server links recordings) or --recording-secret (the relay serves them), not both'),
    refusal('--recording-secret must be at least 16 characters (it signs the recording links)'),
    refusal("--recording-secret needs --public-url (the relay's address in the links it signs)"),
    expect.objectContaining({ code: 2, stdout: '', stderr: expect.stringMatching(/^relay: Asterisk: .*\{nope\}.* \(see --help\)\n$/) }),
    refusal('RELAY_AMI_SECRET (for --ami-secret) is set but empty'),
  ]);
  for (const { stderr } of results) expect(stderr).not.toContain(SECRET);
});

describe('a running relay on Asterisk', () => {
  let ami: FakeAmi | undefined;
  let running: RunningCommand | undefined;
  let dir = '';
  afterEach(async () => {
    running?.kill('SIGKILL');
    await running?.exited;
    await ami?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('says where it reads calls at start; a refused login is in /health and the log, without the secret; the PBX endpoint still serves', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-asterisk-cli-'));
    ami = await startFakeAmi({ username: 'kommo-relay', secret: 'another-secret' });
    const started = startCommand(process.execPath, [MAIN, '--port', '0', '--data-dir', dir, '--pbx-token', PBX, '--token', TOKEN, '--ami-host', ami.host, '--ami-port', String(ami.port), '--ami-user', 'kommo-relay', '--recording-url', 'https://pbx.example.com/rec/{path}'], {
      cwd: ROOT,
      env: { ...ENV, RELAY_AMI_SECRET: SECRET },
    });
    running = started;
    await waitUntil('the relay prints its addresses', () => /data directory: .*\n/.test(started.stdout()) || started.stderr().includes('exited'), { everyMs: 10 });
    expect(started.stdout()).toContain(`  Asterisk AMI:    tcp://127.0.0.1:${ami.port} as kommo-relay\n`);
    expect(started.stdout()).toContain('  click-to-call:   through AMI Originate (SIP/{extension}, context from-internal)\n');
    expect(started.stdout()).toContain('  recordings:      https://pbx.example.com/rec/{path} (from /var/spool/asterisk/monitor)\n');
    const url = /relay listening on (\S+)/.exec(started.stdout())![1]!;
    const health = async () => (await (await fetch(`${url}/health`, { headers: { Authorization: `Bearer ${PBX}` } })).json()) as { pbx: { state: string; connected: boolean } };
    await waitUntil('login refused', async () => (await health()).pbx.state === 'login_refused', { everyMs: 20 });
    expect((await health()).pbx.connected).toBe(false);
    const posted = await fetch(`${url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ call_id: 'p-1', state: 'ringing', direction: 'inbound', phone: '+1', extension: '101' }) });
    expect(posted.status).toBe(200);
    await waitUntil('logged', () => /refused/i.test(started.stderr()), { everyMs: 20 });
    expect(started.stdout() + started.stderr()).not.toContain(SECRET);
  });
});
