/**
 * The built relay as an operator runs it: `node dist/relay/relay/src/main.js`. `npm test` builds
 * it first (pretest); a direct jest run builds it here when it is missing or older than its sources.
 * Its secrets and Kommo settings: test/relay/auth-cli.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RELAY_DEFAULTS } from '../../relay/src/relay';
import { envWithout, runCommand, startCommand } from '../support/command';
import type { RunningCommand } from '../support/command';
import { waitUntil } from '../support/wait';
import { BUILT_RELAY as MAIN, buildRelayIfStale, client, event, KOMMO, PBX, stopAll, subscribeV2, TOKEN } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');
const ENV = envWithout(/^RELAY_/);

beforeAll(buildRelayIfStale, 120_000);

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
  // Load and attack limits (relay/src/guard/command-flags.ts).
  ['--max-pending', 'maxPending', 'RELAY_MAX_PENDING'],
  ['--max-pending-per-address', 'maxPendingPerAddress', 'RELAY_MAX_PENDING_PER_ADDRESS'],
  ['--max-subscribers-per-address', 'maxSubscribersPerAddress', 'RELAY_MAX_SUBSCRIBERS_PER_ADDRESS'],
  ['--max-subscribers-per-user', 'maxSubscribersPerUser', 'RELAY_MAX_SUBSCRIBERS_PER_USER'],
  ['--frame-rate', 'frameRatePerS', 'RELAY_FRAME_RATE'],
  ['--frame-burst', 'frameBurst', 'RELAY_FRAME_BURST'],
  ['--subscribe-cost', 'subscribeCost', 'RELAY_SUBSCRIBE_COST'],
  ['--max-socket-lifetime-ms', 'maxSocketLifetimeMs', 'RELAY_MAX_SOCKET_LIFETIME_MS'],
  ['--headers-timeout-ms', 'headersTimeoutMs', 'RELAY_HEADERS_TIMEOUT_MS'],
  ['--request-timeout-ms', 'requestTimeoutMs', 'RELAY_REQUEST_TIMEOUT_MS'],
  ['--keep-alive-timeout-ms', 'keepAliveTimeoutMs', 'RELAY_KEEP_ALIVE_TIMEOUT_MS'],
  ['--max-connections', 'maxConnections', 'RELAY_MAX_CONNECTIONS'],
  ['--connection-reserve', 'connectionReserve', 'RELAY_CONNECTION_RESERVE'],
  // Click-to-call (relay/src/originate/command-flags.ts).
  ['--originate-interval-ms', 'originateIntervalMs', 'RELAY_ORIGINATE_INTERVAL_MS'],
  ['--originate-timeout-ms', 'originateTimeoutMs', 'RELAY_ORIGINATE_TIMEOUT_MS'],
  ['--max-originates-in-flight', 'maxOriginatesInFlight', 'RELAY_MAX_ORIGINATES_IN_FLIGHT'],
];

test('every limit the relay has a default for is a flag', () => {
  expect(LIMIT_FLAGS.map(([, key]) => key).sort()).toEqual(Object.keys(RELAY_DEFAULTS).sort());
});

test('--help prints every flag with its default and variable, the secrets without defaults, exits 0', async () => {
  const { code, stdout, stderr } = await relay(['--help']);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout).toMatch(/^usage: npm run relay -- \[flags\]/);
  for (const [flag, shown] of [
    ['--port', 'default 8090; env RELAY_PORT'],
    ['--host', 'default 127.0.0.1; env RELAY_HOST'],
    ['--pbx-token', 'env RELAY_PBX_TOKEN'],
    ['--kommo-secret', 'env RELAY_KOMMO_SECRET'],
    ['--kommo-account-id', '1..9007199254740991; env RELAY_KOMMO_ACCOUNT_ID'],
    ['--kommo-origin', 'env RELAY_KOMMO_ORIGIN'],
    ['--users', 'env RELAY_USERS'],
    ['--ticket-secret', 'default a random key per process; env RELAY_TICKET_SECRET'],
    ['--ticket-ttl-s', '60..3600; default 600; env RELAY_TICKET_TTL_S'],
    ['--token', 'env RELAY_TOKEN'],
    // The limits the relay itself falls back to, so --help cannot drift from them.
    ...LIMIT_FLAGS.map(([name, key, env]) => [name, `default ${RELAY_DEFAULTS[key]}; env ${env}`]),
  ]) {
    expect(stdout).toContain(`${flag} <`);
    expect(stdout).toContain(shown);
  }
  // No secret has a default; the one development value set is --dev's, said to be insecure.
  expect(stdout).not.toMatch(/default dev-/);
  expect(stdout).toMatch(/--dev {2,}development only[^]*INSECURE/);
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
    const users = path.join(dataDir, 'users.json');
    fs.writeFileSync(users, JSON.stringify({ users: { '1001': ['101'] } }));
    // The data directory and every secret come from the environment too, so the run leaves nothing in the checkout.
    running = startCommand(process.execPath, [MAIN, '--port', '0', '--max-events-per-post', '1'], {
      cwd: ROOT,
      env: {
        ...ENV,
        RELAY_PBX_TOKEN: 'pbx-from-env',
        RELAY_DATA_DIR: dataDir,
        RELAY_KOMMO_SECRET: KOMMO.secret,
        RELAY_KOMMO_ACCOUNT_ID: String(KOMMO.accountId),
        RELAY_KOMMO_ORIGIN: KOMMO.origin,
        RELAY_USERS: users,
      },
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
    // There is no default PBX token any more; --max-events-per-post reached the relay.
    expect((await post('dev-pbx-token', ring)).status).toBe(401);
    expect(started.stdout()).toContain(`widget tickets:  POST ${url}/ticket  (Kommo account ${KOMMO.accountId}, 1 users in ${users})`);
    const tooMany = await post('pbx-from-env', [ring, { ...ring, call_id: 'c2' }]);
    expect({ status: tooMany.status, error: ((await tooMany.json()) as { error: string }).error }).toEqual({ status: 413, error: 'too_many_events' });
    expect(await (await fetch(`${url}/health`, { headers: { Authorization: 'Bearer pbx-from-env' } })).json()).toMatchObject({ calls: 1, subscribers: 0 });

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
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\S+Z relay: WARNING: the legacy shared --token is on: .*EVERY extension/),
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\S+Z relay: subscriber cap reached, a widget was told to come back later \{"subscribers":1\}$/),
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\S+Z relay: full, new calls refused \{"legs":1,"refused":1\}$/),
    ]);
  });
});
