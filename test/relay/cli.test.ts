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
import { client, event, PBX, stopAll, subscribeV2, TOKEN } from './harness';

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

/** Every RELAY_DEFAULTS entry is a flag: [flag, its RELAY_DEFAULTS key, its variable]. */
const LIMIT_FLAGS: ReadonlyArray<readonly [string, keyof typeof RELAY_DEFAULTS, string]> = [
  ['--data-dir', 'dataDir', 'RELAY_DATA_DIR'],
  ['--max-subscribers', 'maxSubscribers', 'RELAY_MAX_SUBSCRIBERS'],
  ['--max-extensions', 'maxExtensionsPerSubscriber', 'RELAY_MAX_EXTENSIONS'],
  ['--max-body-bytes', 'maxBodyBytes', 'RELAY_MAX_BODY_BYTES'],
  ['--max-events-per-post', 'maxEventsPerPost', 'RELAY_MAX_EVENTS_PER_POST'],
  ['--max-frame-bytes', 'maxFrameBytes', 'RELAY_MAX_FRAME_BYTES'],
  ['--max-calls', 'maxCalls', 'RELAY_MAX_CALLS'],
  ['--ringing-max-age-ms', 'ringingMaxAgeMs', 'RELAY_RINGING_MAX_AGE_MS'],
  ['--answered-max-age-ms', 'answeredMaxAgeMs', 'RELAY_ANSWERED_MAX_AGE_MS'],
  ['--ended-listed-ms', 'endedRetentionMs', 'RELAY_ENDED_LISTED_MS'],
  ['--ended-remembered-ms', 'endedKeepMs', 'RELAY_ENDED_REMEMBERED_MS'],
  ['--history-max-per-extension', 'historyMaxPerExtension', 'RELAY_HISTORY_MAX_PER_EXTENSION'],
  ['--history-max-events', 'historyMaxEvents', 'RELAY_HISTORY_MAX_EVENTS'],
  ['--history-max-age-ms', 'historyMaxAgeMs', 'RELAY_HISTORY_MAX_AGE_MS'],
  ['--expire-every-ms', 'expireEveryMs', 'RELAY_EXPIRE_EVERY_MS'],
  ['--subscribe-timeout-ms', 'subscribeTimeoutMs', 'RELAY_SUBSCRIBE_TIMEOUT_MS'],
  ['--sweep-every-ms', 'sweepEveryMs', 'RELAY_SWEEP_EVERY_MS'],
  ['--silent-close-ms', 'silentCloseMs', 'RELAY_SILENT_CLOSE_MS'],
  ['--overload-retry-after-s', 'overloadRetryAfterS', 'RELAY_OVERLOAD_RETRY_AFTER_S'],
  ['--full-retry-after-s', 'fullRetryAfterS', 'RELAY_FULL_RETRY_AFTER_S'],
];

test('every limit the relay has a default for is a flag', () => {
  expect(LIMIT_FLAGS.map(([, key]) => key).sort()).toEqual(Object.keys(RELAY_DEFAULTS).sort());
});

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
    ...LIMIT_FLAGS.map(([name, key, env]) => [name, `default ${RELAY_DEFAULTS[key]}; env ${env}`]),
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
    relay(['--silent-close-ms', '5000']),
    relay([], { RELAY_HISTORY_MAX_EVENTS: 'lots' }),
    relay(['--ended-listed-ms', '30000']),
    relay(['--overload-retry-after-s', '301']),
    relay(['--ended-listed-ms', '120000', '--ended-remembered-ms', '60000']),
  ]);
  expect(results.map(({ code, stdout, stderr }) => ({ code, stdout, stderr }))).toEqual([
    { code: 2, stdout: '', stderr: 'relay: unknown flag --nope (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --port must be an integer 0..65535, got "70000" (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --port must be an integer 0..65535, got "http" (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: RELAY_PORT (for --port) must be an integer 0..65535, got "eighty" (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --max-subscribers must be an integer 1..1000000, got "0" (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --token needs a value (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --silent-close-ms must be an integer 6000..600000, got "5000" (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: RELAY_HISTORY_MAX_EVENTS (for --history-max-events) must be an integer 1..10000000, got "lots" (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --ended-listed-ms must be an integer 60000..3600000, got "30000" (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --overload-retry-after-s must be an integer 1..300, got "301" (see --help)\n' },
    {
      code: 2,
      stdout: '',
      stderr: 'relay: --ended-listed-ms (120000) must not exceed --ended-remembered-ms (60000): a forgotten leg cannot be listed (see --help)\n',
    },
  ]);
});

describe('a normal start', () => {
  let running: RunningCommand | undefined;
  let dataDir = '';
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-cli-'));
  });
  afterEach(async () => {
    await stopAll();
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
    await waitUntil('the relay prints its addresses', () => /data directory: .*\n/.test(started.stdout()), { everyMs: 10 });
    expect(started.stdout()).toMatch(/^relay listening on http:\/\/127\.0\.0\.1:\d+\n/);
    const url = /relay listening on (\S+)/.exec(started.stdout())?.[1] as string;
    expect(started.stdout()).toContain(`widget ws_url:   ${url.replace('http:', 'ws:')}/ws`);
    expect(started.stdout()).toContain(`data directory:  ${path.resolve(dataDir)}\n`);

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
    expect(fs.existsSync(path.join(dataDir, 'relay.sqlite'))).toBe(true);
  });

  test('the version-2 limits reach the relay: overload and full Retry-After, the caps; each log entry is one line on stderr', async () => {
    running = startCommand(
      process.execPath,
      [MAIN, '--port', '0', '--data-dir', dataDir, '--pbx-token', PBX, '--token', TOKEN, '--max-subscribers', '1', '--overload-retry-after-s', '7', '--max-calls', '1'],
      { cwd: ROOT, env: { ...ENV, RELAY_FULL_RETRY_AFTER_S: '3' } },
    );
    const started = running;
    await waitUntil('the relay prints its addresses', () => /data directory: .*\n/.test(started.stdout()), { everyMs: 10 });
    const url = /relay listening on (\S+)/.exec(started.stdout())?.[1] as string;

    const first = await client(`${url.replace('http:', 'ws:')}/ws`, subscribeV2());
    await first.frame('snapshot');
    const second = await client(`${url.replace('http:', 'ws:')}/ws`, null);
    expect(await second.frame('error')).toEqual({ type: 'error', code: 'overloaded', retry_after: 7 });
    expect(await second.closed()).toBe(4503);

    const post = (body: unknown) =>
      fetch(`${url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post(event('c1', 'ringing'))).status).toBe(200);
    const full = await post(event('c2', 'ringing'));
    expect({ status: full.status, retryAfter: full.headers.get('retry-after'), error: ((await full.json()) as { error: string }).error }).toEqual({ status: 503, retryAfter: '3', error: 'full' });

    await waitUntil('both refusals are logged', () => /full, new calls refused/.test(started.stderr()), { everyMs: 10 });
    const lines = started.stderr().trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\S+Z relay: subscriber cap reached, a widget was told to come back later \{"subscribers":1\}$/),
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\S+Z relay: full, new calls refused \{"legs":1,"refused":1\}$/),
    ]);
  });
});
