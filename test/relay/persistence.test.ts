/**
 * The SQLite store as an operator meets it: calls and history survive a restart on the same data
 * directory (same epoch, so a widget's gap is still covered), and an event the PBX got a 200 for
 * survives `kill -9` of the built relay process.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { envWithout, startCommand } from '../support/command';
import type { RunningCommand } from '../support/command';
import { waitUntil } from '../support/wait';
import { brief, calls, client, event, PBX, relay, stopAll, subscribeV2, TOKEN } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'relay', 'relay', 'src', 'main.js');

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-store-'));
});
afterEach(async () => {
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a restart on the same data dir keeps active legs, recently ended legs, the epoch and the history', async () => {
  const first = await relay({ dataDir });
  await first.post([event('a', 'ringing'), event('a', 'answered'), event('b', 'ringing'), event('b', 'ended', '101', { duration: 2 })]);
  const c = await first.client(subscribeV2(['101']));
  const before = await c.frame('snapshot');
  await first.post([event('d', 'ringing')]);
  await first.close();

  const second = await relay({ dataDir }, first.clock);
  expect(await (await fetch(`${second.r.url}/health`, { headers: { Authorization: `Bearer ${PBX}` } })).json()).toMatchObject({ store: 'sqlite', calls: 3, epoch: before.epoch, offset: 5 });
  const after = await (await second.client(subscribeV2(['101'], { epoch: before.epoch, offset: before.offset }))).frame('snapshot');
  expect(after).toMatchObject({ epoch: before.epoch, recovered: true, offset: 5 });
  expect(brief(after.calls)).toEqual(['a:101:answered', 'b:101:ended:answered', 'd:101:ringing']);
  expect(brief(calls(after.events))).toEqual(['d:101:ringing']);
  // The offset sequence goes on where it stopped.
  await second.post([event('d', 'answered')]);
  expect((await second.poll('extensions=101&v=2')).offset).toBe(6);
});

test('without a data dir the store is in memory: a restart is a new epoch, and widgets are told to take the snapshot', async () => {
  const first = await relay();
  const { epoch } = await (await first.client(subscribeV2())).frame('snapshot');
  await first.close();
  const second = await relay();
  expect(await (await second.client(subscribeV2(['101'], { epoch, offset: 0 }))).frame('snapshot')).toMatchObject({ recovered: false });
});

test('a store file of another schema is refused at startup, naming the file', async () => {
  const first = await relay({ dataDir });
  await first.close();
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(path.join(dataDir, 'relay.sqlite'));
  db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema'").run();
  db.close();
  await expect(relay({ dataDir })).rejects.toThrow(/relay\.sqlite: schema 99/);
});

describe('kill -9 of the built relay', () => {
  beforeAll(() => {
    // `npm test` builds it (pretest); a direct jest run builds it when it is missing.
    if (!fs.existsSync(MAIN)) execFileSync('npx', ['tsc', '-p', 'relay/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  }, 120_000);

  const running: RunningCommand[] = [];
  afterEach(async () => {
    for (const p of running.splice(0)) {
      p.kill('SIGKILL');
      await p.exited;
    }
  });

  async function start(): Promise<{ url: string; process: RunningCommand }> {
    const p = startCommand(process.execPath, [MAIN, '--port', '0', '--data-dir', dataDir, '--token', TOKEN, '--pbx-token', PBX], { cwd: ROOT, env: envWithout(/^RELAY_/) });
    running.push(p);
    await waitUntil('the relay to listen', () => /listening on (http:\S+)/.test(p.stdout()) || p.stderr() !== '', { timeoutMs: 15_000, everyMs: 20 });
    const url = /listening on (http:\S+)/.exec(p.stdout())?.[1];
    if (url === undefined) throw new Error(`relay did not start: ${p.stderr()}`);
    return { url, process: p };
  }

  test('a ringing call the PBX got 200 for is there after kill -9 and a restart, and its end reaches the widget', async () => {
    const first = await start();
    const res = await fetch(`${first.url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(event('k9', 'ringing')) });
    expect(res.status).toBe(200);
    first.process.kill('SIGKILL');
    expect(await first.process.exited).toMatchObject({ signal: 'SIGKILL' });

    const second = await start();
    const widget = await client(`${second.url.replace('http', 'ws')}/ws`, { type: 'subscribe', token: TOKEN, extensions: ['101'] });
    expect(brief((await widget.frame('snapshot')).calls)).toEqual(['k9:101:ringing']);
    await fetch(`${second.url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(event('k9', 'ended', '101', { duration: 12 })) });
    expect(await widget.frame('call')).toEqual({ type: 'call', call: expect.objectContaining({ call_id: 'k9', state: 'ended', duration: 12 }) });
  }, 60_000);

  test('a second relay on the same data directory refuses to start, saying why, and the first keeps serving', async () => {
    const first = await start();
    const second = startCommand(process.execPath, [MAIN, '--port', '0', '--data-dir', dataDir, '--token', TOKEN, '--pbx-token', PBX], { cwd: ROOT, env: envWithout(/^RELAY_/) });
    running.push(second);
    expect(await second.exited).toMatchObject({ code: 1 });
    expect(second.stderr()).toContain('another relay is using this data directory');
    const res = await fetch(`${first.url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(event('lock', 'ringing')) });
    expect(res.status).toBe(200);
  }, 60_000);
});
