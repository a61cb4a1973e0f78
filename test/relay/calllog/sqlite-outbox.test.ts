/**
 * The SQLite outbox as an operator meets it: jobs added survive `kill -9` of the process and a
 * restart, a job is done together with its follow-ups or not at all, a row that cannot be read
 * is set aside (not a crash), and a second relay on the same data directory is refused.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StoreOpenFailed, StoreWriteFailed } from '../../../relay/src/errors';
import { OUTBOX_FILE, SqliteOutbox } from '../../../relay/src/calllog/sqlite-outbox';
import { startCommand } from '../../support/command';
import type { RunningCommand } from '../../support/command';
import { waitUntil } from '../../support/wait';
import { keyed, T0, uniqOf } from './outbox-jobs';

const ROOT = path.resolve(__dirname, '..', '..', '..');

let dataDir: string;
const opened: SqliteOutbox[] = [];
const running: RunningCommand[] = [];
function open(options: Partial<ConstructorParameters<typeof SqliteOutbox>[0]> = {}): SqliteOutbox {
  const outbox = new SqliteOutbox({ dataDir, ...options });
  opened.push(outbox);
  return outbox;
}
/** The file as another program sees it (only while no outbox has it open: the lock). */
function raw(work: (db: Database.Database) => void): void {
  const db = new Database(path.join(dataDir, OUTBOX_FILE));
  try {
    work(db);
  } finally {
    db.close();
  }
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-'));
});
afterEach(async () => {
  opened.splice(0).forEach((o) => o.close());
  for (const p of running.splice(0)) {
    p.kill('SIGKILL');
    await p.exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('its own file in the data directory, WAL mode', () => {
  const outbox = open();
  expect(OUTBOX_FILE).toBe('outbox.sqlite');
  expect(outbox.file).toBe(path.join(dataDir, 'outbox.sqlite'));
  outbox.close();
  raw((db) => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get()).toBe('1');
  });
});

test('kill -9 of the process: what it added, did, retried and set aside is there after a restart', async () => {
  // tsx as a loader, not its command: that runs the script in a grandchild SIGKILL would miss.
  const child = startCommand(process.execPath, ['--import', 'tsx', path.join(__dirname, 'outbox-child.ts'), dataDir], { cwd: ROOT });
  running.push(child);
  await waitUntil('the child to have written', () => child.stdout().includes('ready') || child.stderr() !== '', { timeoutMs: 30_000, everyMs: 20 });
  expect(child.stderr()).toBe('');
  child.kill('SIGKILL');
  expect(await child.exited).toMatchObject({ signal: 'SIGKILL' });
  // Killed, not closed: the last commits are only in the WAL.
  expect(fs.existsSync(path.join(dataDir, `${OUTBOX_FILE}-wal`))).toBe(true);

  const outbox = open();
  expect(outbox.due(T0 + 20, 10).map((e) => e.key)).toEqual(['call-back-task:a', 'log-call:d']);
  expect(outbox.due(T0 + 5_000, 10).map((e) => [e.key, e.attempts])).toEqual([
    ['log-call:b', 1],
    ['call-back-task:a', 0],
    ['log-call:d', 0],
  ]);
  expect(outbox.counts()).toMatchObject({
    pending: 3,
    done: 1,
    failed: 1,
    lastSuccessAt: T0 + 10,
    lastRetryReason: 'Kommo did not answer (503)',
    failures: [{ key: 'log-call:c', kind: 'log-call', reason: 'Kommo refused POST /api/v4/calls (400)', at: T0 + 10 }],
  });
  expect(outbox.openTasks('4155550100', T0).map((t) => t.taskId)).toEqual([77]);
  // The done job's key is still known: a repeat is skipped.
  outbox.add([keyed('a')], T0 + 30);
  expect(outbox.counts().pending).toBe(3);
}, 60_000);

test('a clean restart keeps everything, and ids go on after pruned ones', () => {
  const first = open({ keepDoneMs: 1_000 });
  first.add([keyed('a'), keyed('b')], T0);
  const [a, b] = first.due(T0, 2);
  first.succeed(a!.id, [], T0);
  first.succeed(b!.id, [], T0 + 5_000); // prunes a
  first.close();
  const second = open({ keepDoneMs: 1_000 });
  expect(second.counts()).toMatchObject({ done: 1, lastSuccessAt: T0 + 5_000 });
  second.add([keyed('a')], T0 + 5_000);
  expect(second.due(T0 + 5_000, 1)[0]!.id).toBeGreaterThan(b!.id);
});

test('succeed is all or nothing: a follow-up that does not commit leaves the job pending and adds none', () => {
  open().close();
  // Stands for a disk that fails mid-transaction: the second follow-up's insert aborts.
  raw((db) => db.exec("CREATE TRIGGER refuse BEFORE INSERT ON jobs WHEN NEW.key LIKE 'close-tasks:%' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;"));
  const outbox = open();
  outbox.add([keyed('a')], T0);
  const [a] = outbox.due(T0, 1);
  expect(() => outbox.succeed(a!.id, [keyed('a', 'call-back-task'), keyed('a', 'close-tasks')], T0 + 1)).toThrow(StoreWriteFailed);
  expect(outbox.due(T0 + 1, 10).map((e) => e.key)).toEqual(['log-call:a']);
  expect(outbox.counts()).toMatchObject({ pending: 1, done: 0, lastSuccessAt: null });
  // add is one transaction too.
  expect(() => outbox.add([keyed('b'), keyed('b', 'close-tasks')], T0 + 2)).toThrow(/outbox add did not commit/);
  expect(outbox.counts().pending).toBe(1);
});

test('a row whose job cannot be read is set aside as failed at open, the others are still due', () => {
  const first = open();
  first.add([keyed('a'), keyed('b'), keyed('c')], T0);
  first.close();
  raw((db) => {
    db.prepare("UPDATE jobs SET job = '{\"kind\": \"log-ca' WHERE key = 'log-call:a'").run();
    db.prepare('UPDATE jobs SET job = \'{"kind": "send-fax"}\' WHERE key = \'log-call:c\'').run();
  });
  const log = jest.fn();
  const outbox = open({ now: () => T0 + 500, log });
  expect(outbox.due(T0 + 500, 10).map((e) => uniqOf(e.job))).toEqual(['b']);
  expect(outbox.counts()).toMatchObject({
    pending: 1,
    failed: 2,
    failures: [
      { key: 'log-call:c', kind: 'log-call', reason: 'unreadable job', at: T0 + 500 },
      { key: 'log-call:a', kind: 'log-call', reason: 'unreadable job', at: T0 + 500 },
    ],
  });
  expect(log).toHaveBeenCalledWith(expect.stringContaining('cannot be read'), expect.objectContaining({ unreadable: 2 }));
});

test('a second outbox on the same data directory is refused, naming the file; once the first closes it opens', () => {
  const first = open();
  first.add([keyed('a')], T0);
  let error: unknown;
  try {
    open();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(StoreOpenFailed);
  expect((error as StoreOpenFailed).location).toBe(path.join(dataDir, OUTBOX_FILE));
  expect((error as Error).message).toMatch(/outbox\.sqlite: another relay is using this data directory/);
  // The first goes on.
  first.add([keyed('b')], T0);
  expect(first.counts().pending).toBe(2);
  first.close();
  expect(open().counts().pending).toBe(2);
});

test('a file of another schema is refused, naming the file', () => {
  open().close();
  raw((db) => db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema'").run());
  expect(() => open()).toThrow(/outbox\.sqlite: schema 99, this relay reads 1/);
  // Not left locked by the refusal.
  raw((db) => db.prepare("UPDATE meta SET value = '1' WHERE key = 'schema'").run());
  expect(open().counts().pending).toBe(0);
});

test('a data directory that is not one is refused, naming the file', () => {
  const file = path.join(dataDir, 'not-a-dir');
  fs.writeFileSync(file, '');
  expect(() => new SqliteOutbox({ dataDir: file })).toThrow(StoreOpenFailed);
  expect(() => new SqliteOutbox({ dataDir: file })).toThrow(path.join(file, OUTBOX_FILE));
});

test('a file that is not SQLite is refused, naming the file', () => {
  fs.writeFileSync(path.join(dataDir, OUTBOX_FILE), 'not a database, just some text that is long enough to have a header'.repeat(20));
  expect(() => open()).toThrow(/outbox\.sqlite: .*not a database/);
});
