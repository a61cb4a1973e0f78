/**
 * Descriptor exhaustion: 300 idle TCP connections used to take a relay with `ulimit -n 256`
 * down (EMFILE: the PBX endpoint as unreachable as the widgets). The built relay, started the
 * way an operator starts it but under that limit, caps its connections below it, cuts the idle
 * ones first, and keeps serving the PBX and widgets.
 */
import fs from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { envWithout, startCommand } from '../support/command';
import type { RunningCommand } from '../support/command';
import { waitUntil } from '../support/wait';
import { BUILT_RELAY as MAIN, buildRelayIfStale, client, event, PBX, stopAll, subscribeV2, TOKEN } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');
const LIMIT = 256;
const IDLE = 300;

beforeAll(buildRelayIfStale, 120_000);

let running: RunningCommand | undefined;
let dataDir = '';
const idle: Socket[] = [];

afterEach(async () => {
  for (const socket of idle.splice(0)) socket.destroy();
  await stopAll();
  running?.kill('SIGKILL');
  await running?.exited;
  running = undefined;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test(`under ulimit -n ${LIMIT}, ${IDLE} idle TCP connections: the relay stays up, cuts idle ones, and the PBX POST and a widget still work`, async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-fds-'));
  // Long HTTP timeouts: what handles the idle connections here is the connection cap, not a timer.
  const relayArgs = ['--port', '0', '--data-dir', dataDir, '--token', TOKEN, '--pbx-token', PBX, '--headers-timeout-ms', '60000', '--request-timeout-ms', '60000'];
  running = startCommand('sh', ['-c', `ulimit -n ${LIMIT} && exec "$0" "$@"`, process.execPath, MAIN, ...relayArgs], { cwd: ROOT, env: envWithout(/^RELAY_/) });
  const started = running;
  let exited = false;
  void started.exited.then(() => (exited = true));
  await waitUntil('the relay prints its addresses', () => /data directory: .*\n/.test(started.stdout()) || exited, { everyMs: 10 });
  const url = /relay listening on (\S+)/.exec(started.stdout())?.[1];
  if (url === undefined) throw new Error(`the relay did not start: ${started.stderr()}`);
  // stderr is its own pipe: the cap's line may come after the addresses on stdout.
  await waitUntil('the cap logged', () => started.stderr().includes('open connections capped'), { everyMs: 10 });
  expect(started.stderr()).toContain(`relay: open connections capped by the open-files limit {"openFilesLimit":${LIMIT},"maxConnections":${LIMIT - 64},"maxSubscribers":${LIMIT - 64 - 16}}`);
  const port = Number(new URL(url).port);

  let cut = 0;
  await Promise.all(
    Array.from({ length: IDLE }, () => new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve());
      idle.push(socket);
      socket.on('close', () => (cut += 1));
      socket.on('error', () => resolve());
    })),
  );
  // Beyond the cap each newcomer made room by cutting the oldest idle one.
  await waitUntil('the idle connections beyond the cap are cut', () => cut >= IDLE - (LIMIT - 64), { timeoutMs: 10_000 });

  const post = await fetch(`${url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(event('c1', 'ringing')) });
  expect({ status: post.status, body: await post.json() }).toEqual({ status: 200, body: { accepted: 1, changed: 1 } });
  const widget = await client(`${url.replace('http:', 'ws:')}/ws`, subscribeV2());
  expect(await widget.frame('snapshot')).toMatchObject({ calls: [expect.objectContaining({ call_id: 'c1' })] });
  expect((await fetch(`${url}/health`)).status).toBe(200);

  expect(started.stderr()).not.toMatch(/EMFILE|too many open files/i);
  started.kill('SIGTERM');
  expect(await started.exited).toEqual({ code: 0, signal: null });
}, 60_000);
