/**
 * The SQLite file behind SqliteOutbox: its schema, how it is opened (one relay per file, as the
 * store's relay.sqlite: sqlite-file.ts), and reading a job's JSON back.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { StoreOpenFailed } from '../errors';
import { openLockedSqlite } from '../sqlite-file';
import type { CallLogJob } from './types';

export const OUTBOX_SCHEMA_VERSION = '1';
export const OUTBOX_FILE = 'outbox.sqlite';

// AUTOINCREMENT: an id is never given out twice, even after its row was pruned (the worker
// tracks in-flight jobs by id).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  job TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  added_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  reason TEXT);
CREATE INDEX IF NOT EXISTS jobs_by_next ON jobs (state, next_at);
CREATE INDEX IF NOT EXISTS jobs_by_update ON jobs (state, updated_at);
CREATE TABLE IF NOT EXISTS open_tasks (task_id INTEGER PRIMARY KEY, phone_key TEXT NOT NULL, due_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS open_tasks_by_phone ON open_tasks (phone_key, due_at);
CREATE INDEX IF NOT EXISTS open_tasks_by_due ON open_tasks (due_at);
`;

/** Opens (or creates) the file with the exclusive lock and the schema; names the file on failure. */
export function openOutboxFile(file: string): SqliteDatabase {
  return openLockedSqlite(file, SCHEMA, (db) => {
    const schema = (db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined)?.value;
    if (schema === undefined) db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(OUTBOX_SCHEMA_VERSION);
    else if (schema !== OUTBOX_SCHEMA_VERSION) throw new StoreOpenFailed(file, `schema ${schema}, this relay reads ${OUTBOX_SCHEMA_VERSION}`);
    return db;
  });
}

const KINDS: ReadonlySet<string> = new Set<CallLogJob['kind']>(['log-call', 'unknown-caller', 'call-back-task', 'close-tasks']);

/** A job read back from its column; null when it is not JSON or not a job this relay knows. */
export function readJob(text: string): CallLogJob | null {
  try {
    const job: unknown = JSON.parse(text);
    if (typeof job !== 'object' || job === null) return null;
    const kind = (job as { kind?: unknown }).kind;
    return typeof kind === 'string' && KINDS.has(kind) ? (job as CallLogJob) : null;
  } catch {
    return null;
  }
}
