/**
 * The load and attack limits on the built relay's command line: flags and variables reach the
 * relay, and values that cannot work together are refused in one line with exit code 2.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { envWithout, runCommand, startCommand } from '../support/command';
import type { RunningCommand } from '../support/command';
import { waitUntil } from '../support/wait';
import { closeGuardSockets, watchedSocket } from './guard-support';
import { BUILT_RELAY as MAIN, buildRelayIfStale, PBX, stopAll, TOKEN } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');
const ENV = envWithout(/^RELAY_/);

beforeAll(buildRelayIfStale, 120_000);

let running: RunningCommand | undefined;
let dataDir = '';
afterEach(async () => {
  closeGuardSockets();
  await stopAll();
  running?.kill('SIGKILL');
  await running?.exited;
  running = undefined;
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('limits that cannot work together, or a proxy that is no address: one line naming them, exit 2', async () => {
  const start = (args: string[]) => runCommand(process.execPath, [MAIN, '--token', TOKEN, '--pbx-token', PBX, ...args], { cwd: ROOT, env: ENV });
  const results = await Promise.all([
    start(['--subscribe-cost', '50']),
    start(['--headers-timeout-ms', '40000']),
    start(['--max-connections', '100', '--connection-reserve', '100']),
    start(['--trusted-proxies', '10.0.0.1,proxy.example.com']),
    start(['--frame-rate', '0']),
  ]);
  expect(results.map(({ code, stdout, stderr }) => ({ code, stdout, stderr }))).toEqual([
    { code: 2, stdout: '', stderr: 'relay: --subscribe-cost (50) must not exceed --frame-burst (40): no subscribe could pass (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --headers-timeout-ms (40000) must not exceed --request-timeout-ms (30000) (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --max-connections (100) must exceed --connection-reserve (100) (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --trusted-proxies: "proxy.example.com" is not an IP address (see --help)\n' },
    { code: 2, stdout: '', stderr: 'relay: --frame-rate must be an integer 1..10000, got "0" (see --help)\n' },
  ]);
});

test('flags and variables reach the relay: a pending cap per address from RELAY_MAX_PENDING_PER_ADDRESS, the frame budget from --frame-burst', async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-limits-cli-'));
  running = startCommand(process.execPath, [MAIN, '--port', '0', '--data-dir', dataDir, '--token', TOKEN, '--pbx-token', PBX, '--frame-burst', '12'], {
    cwd: ROOT,
    env: { ...ENV, RELAY_MAX_PENDING_PER_ADDRESS: '1' },
  });
  const started = running;
  await waitUntil('the relay prints its addresses', () => /data directory: .*\n/.test(started.stdout()), { everyMs: 10 });
  const ws = `${(/relay listening on (\S+)/.exec(started.stdout())?.[1] as string).replace('http:', 'ws:')}/ws`;

  const office = { 'X-Forwarded-For': '203.0.113.7' };
  const first = await watchedSocket(ws, office);
  await watchedSocket(ws, office);
  expect(await first.closed()).toEqual({ code: 4408, reason: 'too many unauthenticated sockets' });

  // 12 frames: the subscribe takes 10, two pings the rest, the third is over.
  const widget = await watchedSocket(ws);
  widget.send({ type: 'subscribe', v: 2, token: TOKEN, extensions: ['101'] });
  await widget.frame('snapshot');
  widget.send({ type: 'ping' });
  widget.send({ type: 'ping' });
  await waitUntil('two pongs', () => widget.frames.filter((f) => f.type === 'pong').length === 2);
  widget.send({ type: 'ping' });
  expect((await widget.closed()).code).toBe(4420);
}, 30_000);
