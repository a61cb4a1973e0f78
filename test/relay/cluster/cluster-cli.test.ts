/**
 * Cluster mode on the built relay's command line: `--redis-url` is the one setting; what cannot
 * work is refused in one line (exit 2) before anything starts, a Redis that never answers is
 * said plainly (exit 1), and the URL's password is never printed.
 */
import path from 'node:path';
import { freePort } from '../../../scripts/bench/relay-process';
import { envWithout, runCommand, startCommand } from '../../support/command';
import { startRedis } from '../../support/redis-server';
import { waitUntil } from '../../support/wait';
import { BUILT_RELAY, buildRelayIfStale } from '../harness';
import { PBX_TOKEN, WIDGET_TOKEN } from './nodes';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ENV = envWithout(/^RELAY_/);
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCommand(process.execPath, [BUILT_RELAY, '--pbx-token', PBX_TOKEN, '--token', WIDGET_TOKEN, '--port', '0', ...args], { cwd: ROOT, env: { ...ENV, ...env } });
const refusal = (message: string) => ({ code: 2, stdout: '', stderr: `relay: ${message} (see --help)\n` });

beforeAll(buildRelayIfStale, 120_000);

test('--help lists the cluster flags with their variables', async () => {
  const { code, stdout } = await runCommand(process.execPath, [BUILT_RELAY, '--help'], { cwd: ROOT, env: ENV });
  expect(code).toBe(0);
  for (const line of ['--redis-url <url>', 'env RELAY_REDIS_URL', '--redis-prefix <name>', '--cluster-snapshot-every-ms <ms>', '--redis-join-timeout-ms <ms>']) expect(stdout).toContain(line);
});

test('a URL that is not Redis\'s, a bad prefix, an empty URL: one line naming the flag, exit 2', async () => {
  const results = await Promise.all([
    run(['--redis-url', 'not a url']),
    run(['--redis-url', 'http://127.0.0.1:6379']),
    run(['--redis-url', 'redis://127.0.0.1:6379', '--redis-prefix', 'a b']),
    run([], { RELAY_REDIS_URL: '' }),
  ]);
  expect(results.map(({ code, stdout, stderr }) => ({ code, stdout, stderr }))).toEqual([
    refusal('--redis-url is not a URL (redis://host:port)'),
    refusal('--redis-url must be redis:// or rediss://, not http://'),
    refusal('--redis-prefix: 1 to 64 letters, digits, ".", "_", ":" or "-"'),
    refusal('RELAY_REDIS_URL (for --redis-url) is set but empty'),
  ]);
});

test('a Redis that does not answer at start: exit 1 naming its address, not its password', async () => {
  const port = await freePort();
  const { code, stdout, stderr } = await run(['--redis-url', `redis://:hunter2-secret@127.0.0.1:${port}`, '--redis-join-timeout-ms', '1000']);
  expect(code).toBe(1);
  expect(stderr).toContain(`relay: cannot join the cluster at redis://127.0.0.1:${port}: Redis did not answer within 1000 ms`);
  expect(stdout + stderr).not.toContain('hunter2');
});

test('a node started with RELAY_REDIS_URL says where its store is, without the password', async () => {
  const redis = await startRedis({ args: ['--requirepass', 'hunter2-secret'] });
  try {
    const url = redis.url.replace('redis://', 'redis://:hunter2-secret@');
    const runningNode = startCommand(process.execPath, [BUILT_RELAY, '--pbx-token', PBX_TOKEN, '--token', WIDGET_TOKEN, '--port', '0'], { cwd: ROOT, env: { ...ENV, RELAY_REDIS_URL: url } });
    await waitUntil('the banner', () => runningNode.stdout().includes('cluster node:'));
    expect(runningNode.stdout()).toMatch(new RegExp(`cluster node: +\\S+, store in Redis at redis://127\\.0\\.0\\.1:${redis.port} \\(prefix kommo-relay\\)`));
    expect(runningNode.stdout()).not.toContain('data directory');
    runningNode.kill('SIGTERM');
    expect((await runningNode.exited).code).toBe(0);
    expect(runningNode.stdout() + runningNode.stderr()).not.toContain('hunter2');
  } finally {
    await redis.stop();
  }
});
