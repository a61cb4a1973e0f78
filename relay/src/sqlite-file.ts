/**
 * The SQLite file behind SqliteStore: its schema, how it is opened (one relay per file), the
 * statements that write each journal change, and reading every row back at startup.
 */
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { CallEvent } from '../../src/protocol';
import { StoreOpenFailed } from './errors';
import type { HistoryEntry, StoreChange } from './journal';
import type { Leg } from './store';

export const SCHEMA_VERSION = '1';
export const STORE_FILE = 'relay.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS legs (
  call_id TEXT NOT NULL, extension TEXT NOT NULL, offset INTEGER NOT NULL, state_at INTEGER NOT NULL, event TEXT NOT NULL,
  PRIMARY KEY (call_id, extension));
CREATE TABLE IF NOT EXISTS history (offset INTEGER PRIMARY KEY, extension TEXT NOT NULL, stored_at INTEGER NOT NULL, event TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS floors (extension TEXT PRIMARY KEY, floor INTEGER NOT NULL);
`;

export interface Statements {
  putLeg: Statement;
  deleteLeg: Statement;
  appendHistory: Statement;
  deleteHistory: Statement;
  setFloor: Statement;
  deleteFloor: Statement;
  setMeta: Statement;
}

/** Opens (or creates) the file with the exclusive lock and the schema; names the file on failure. */
export function openStoreFile(file: string): SqliteDatabase {
  return openLockedSqlite(file, SCHEMA, (db) => db);
}

/**
 * A relay's SQLite file (the store's, the call log's outbox): WAL, `synchronous = NORMAL` (a
 * commit is in the WAL, which the OS has, before it returns: enough for kill -9), held with an
 * exclusive lock while it is open, so a second relay on the same directory fails at once (one
 * relay per data directory: two would hand out the same offsets, or send the same jobs to
 * Kommo). `check` reads the file's schema version; a failure of any step is StoreOpenFailed.
 */
export function openLockedSqlite(file: string, schema: string, check: (db: SqliteDatabase) => SqliteDatabase): SqliteDatabase {
  let db: SqliteDatabase | undefined;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // No busy wait: a second relay on the same directory must fail at once, not after 5 s.
    db = new Database(file, { timeout: 0 });
    // The exclusive lock is taken by the first write below and held until the file closes.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
    db.exec(schema);
    return check(db);
  } catch (error) {
    if (db?.open) db.close();
    if (error instanceof StoreOpenFailed) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const reason = /locked|busy/i.test(message) ? `another relay is using this data directory (${message})` : message;
    throw new StoreOpenFailed(file, reason, { cause: error });
  }
}

export function prepareStatements(db: SqliteDatabase): Statements {
return {
    putLeg: db.prepare(
      'INSERT INTO legs (call_id, extension, offset, state_at, event) VALUES (?, ?, ?, ?, ?) ON CONFLICT (call_id, extension) DO UPDATE SET offset = excluded.offset, state_at = excluded.state_at, event = excluded.event',
    ),
    deleteLeg: db.prepare('DELETE FROM legs WHERE call_id = ? AND extension = ?'),
    appendHistory: db.prepare('INSERT OR REPLACE INTO history (offset, extension, stored_at, event) VALUES (?, ?, ?, ?)'),
    deleteHistory: db.prepare('DELETE FROM history WHERE offset = ?'),
    setFloor: db.prepare('INSERT INTO floors (extension, floor) VALUES (?, ?) ON CONFLICT (extension) DO UPDATE SET floor = excluded.floor'),
    deleteFloor: db.prepare('DELETE FROM floors WHERE extension = ?'),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
  };
}

export function writeChange(s: Statements, change: StoreChange): void {
  switch (change.kind) {
    case 'leg_put': {
      const { event, offset, stateAt } = change.leg;
      s.putLeg.run(event.callId, event.extension, offset, stateAt, JSON.stringify(event));
      return;
    }
    case 'leg_delete':
      s.deleteLeg.run(change.callId, change.extension);
      return;
    case 'history_append':
      s.appendHistory.run(change.entry.offset, change.entry.event.extension, change.entry.storedAt, JSON.stringify(change.entry.event));
      return;
    case 'history_delete':
      s.deleteHistory.run(change.offset);
      return;
    case 'floor_set':
      s.setFloor.run(change.extension, change.floor);
      return;
    case 'floor_delete':
      s.deleteFloor.run(change.extension);
      return;
  }
}

/** Every row, in offset order; a row that is not JSON is skipped and counted. */
export function readStoreRows(db: SqliteDatabase): { legs: Leg[]; history: HistoryEntry[]; floors: Array<readonly [string, number]>; unreadable: number } {
  let unreadable = 0;
  const read = (text: string): CallEvent | null => {
    try {
      return JSON.parse(text) as CallEvent;
    } catch {
      unreadable += 1;
      return null;
    }
  };
  const legs: Leg[] = [];
  for (const row of db.prepare('SELECT offset, state_at, event FROM legs ORDER BY offset').iterate() as Iterable<{ offset: number; state_at: number; event: string }>) {
    const event = read(row.event);
    if (event !== null) legs.push({ event, stateAt: row.state_at, offset: row.offset });
  }
  const history: HistoryEntry[] = [];
  for (const row of db.prepare('SELECT offset, stored_at, event FROM history ORDER BY offset').iterate() as Iterable<{ offset: number; stored_at: number; event: string }>) {
    const event = read(row.event);
    if (event !== null) history.push({ offset: row.offset, event, storedAt: row.stored_at });
  }
  const floors = (db.prepare('SELECT extension, floor FROM floors').all() as Array<{ extension: string; floor: number }>).map((row) => [row.extension, row.floor] as const);
  return { legs, history, floors, unreadable };
}
