/**
 * The built relay as an operator runs it: `node dist/relay/relay/src/main.js`. `npm test` builds
 * it first (pretest); a direct jest run builds it here when it is missing or older than its sources.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RELAY_DEFAULTS } from '../../relay/src/relay';
import { envWithout, runCommand, startCommand } from '../support/command';
import type { RunningCommand } from '../support/command';
import { waitUntil } from '../support/wait';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'relay', 'relay', 'src', 'main.js');
const ENV = envWithout(/^RELAY_/);

function newestSource(dir: string): number {
  return Math.max(
    0,
    ...fs.readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const at = path.join(dir, entry.name);
      if (entry.isDirectory()) return newestSource(at);
      return entry.name.endsWith('.ts') ? fs.statSync(at).mtimeMs : 0;
    }),
  );
}

beforeAll(() => {
  const sources = Math.max(newestSource(path.join(ROOT, 'relay', 'src')), newestSource(path.join(ROOT, 'src', 'protocol')));
  if (!fs.existsSync(MAIN) || fs.statSync(MAIN).mtimeMs < sources) {
    execFileSync('npx', ['tsc', '-p', 'relay/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  }
}, 120_000);

const relay = (args: string[], env: NodeJS.ProcessEnv = {}) => runCommand(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...ENV, ...env } });

test('--help prints every flag with its default and variable, says the tokens are dev defaults, exits 0', async () => {
  const { code, stdout, stderr } = await relay(['--help']);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout).toMatch(/^usage: npm run relay -- \[flags\]/);
  for (const [flag, shown] of [
    ['--port', 'default 8090; env RELAY_PORT'],
    ['--host', 'default 127.0.0.1; env RELAY_HOST'],
    ['--token', 'default dev-widget-token (a development default); env RELAY_TOKEN'],
    ['--pbx-token', 'default dev-pbx-token (a development default); env RELAY_PBX_TOKEN'],
    // The limits the relay itself falls back to, so --help cannot drift from them.
    ['--max-subscribers', `default ${RELAY_DEFAULTS.maxSubscribers}; env RELAY_MAX_SUBSCRIBERS`],
    ['--max-extensions', `default ${RELAY_DEFAULTS.maxExtensionsPerSubscriber}; env RELAY_MAX_EXTENSIONS`],
    ['--max-body-bytes', `default ${RELAY_DEFAULTS.maxBodyBytes}; env RELAY_MAX_BODY_BYTES`],
    ['--max-events-per-post', `default ${RELAY_DEFAULTS.maxEventsPerPost}; env RELAY_MAX_EVENTS_PER_POST`],
    ['--max-frame-bytes', `default ${RELAY_DEFAULTS.maxFrameBytes}; env RELAY_MAX_FRAME_BYTES`],
    ['--max-calls', `default ${RELAY_DEFAULTS.maxCalls}; env RELAY_MAX_CALLS`],
    ['--subscribe-timeout-ms', `default ${RELAY_DEFAULTS.subscribeTimeoutMs}; env RELAY_SUBSCRIBE_TIMEOUT_MS`],
    ['--sweep-every-ms', `default ${RELAY_DEFAULTS.sweepEveryMs}; env RELAY_SWEEP_EVERY_MS`],
  ]) {
    expect(stdout).toContain(`${flag} <`);
    expect(stdout).toContain(shown);
  }
});

test('an unknown flag or a bad value: one line naming it, exit code 2, the relay does not start', async () => {
  const results = await Promise.all([
    relay(['--nope']),
    relay(['--port', '70000']),
    relay(['--port', 'http']),
    relay([], { RELAY_PORT: 'eighty' }),
    relay(['--max-subscribers', '0']),
    relay(['--token']),
  ]);
  expect(results.map(({ code, stdout, stderr }) => ({ code, stdout, stderr }))).toEqual([
    { code: 2, stdout: '', stderr: 'relay: unknown flag --nope (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --port must be an integer 0..65535, got "70000" (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --port must be an integer 0..65535, got "http" (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: RELAY_PORT (for --port) must be an integer 0..65535, got "eighty" (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --max-subscribers must be an integer 1..1000000, got "0" (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --token needs a value (see --help)\n' },
  ]);
});

describe('a normal start', () => {
  let running: RunningCommand | undefined;
  let dataDir = '';
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-cli-'));
  });
  afterEach(async () => {
    running?.kill('SIGKILL');
    await running?.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('on port 0 it prints its address, takes POST /pbx/events with its flags and env, and stops on SIGTERM', async () => {
    // The data directory comes from the environment too, so the run leaves nothing in the checkout.
    running = startCommand(process.execPath, [MAIN, '--port', '0', '--max-events-per-post', '1'], {
      cwd: ROOT,
      env: { ...ENV, RELAY_PBX_TOKEN: 'pbx-from-env', RELAY_DATA_DIR: dataDir },
    });
    const started = running;
    await waitUntil('the relay prints its addresses', () => /PBX events: .*\n/.test(started.stdout()), { everyMs: 10 });
    expect(started.stdout()).toMatch(/^relay listening on http:\/\/127\.0\.0\.1:\d+\n/);
    const url = /relay listening on (\S+)/.exec(started.stdout())?.[1] as string;
    expect(started.stdout()).toContain(`widget ws_url:   ${url.replace('http:', 'ws:')}/ws`);

    const ring = { call_id: 'c1', state: 'ringing', direction: 'inbound', phone: '+14155550100', extension: '101' };
    const post = (token: string, body: unknown) =>
      fetch(`${url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const accepted = await post('pbx-from-env', ring);
    expect({ status: accepted.status, body: await accepted.json() }).toEqual({ status: 200, body: { accepted: 1, changed: 1 } });
    // RELAY_PBX_TOKEN replaced the dev default; --max-events-per-post reached the relay.
    expect((await post('dev-pbx-token', ring)).status).toBe(401);
    const tooMany = await post('pbx-from-env', [ring, { ...ring, call_id: 'c2' }]);
    expect({ status: tooMany.status, error: ((await tooMany.json()) as { error: string }).error }).toEqual({ status: 413, error: 'too_many_events' });
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ ok: true, calls: 1, subscribers: 0 });

    started.kill('SIGTERM');
    expect(await started.exited).toEqual({ code: 0, signal: null });
    expect(started.stderr()).toBe('');
  });
});
