/**
 * The default store of the command-line relay: one SQLite file in the data directory
 * (`relay.sqlite`, WAL mode), no server to install. Reads are served from a MemoryStore that
 * is loaded from the file at startup; every operation's changes are written in one transaction
 * that commits before the operation returns, so an event the PBX got a 200 for survives a
 * `kill -9` and a restart, and so does the epoch: a restarted relay still covers a widget's gap.
 *
 * `synchronous = NORMAL` in WAL mode: a commit is in the WAL file (the OS has it) before it
 * returns, which is what a killed process needs; only a power cut can lose the last commits.
 * If a write fails, the in-memory state is reloaded from the file, so it never runs ahead of it.
 */
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { CallEvent, SequencedEvent, StreamCursor } from '../../src/protocol';
import { StoreOpenFailed, StoreWriteFailed } from './errors';
import type { HistoryEntry, StoreChange } from './journal';
import { MemoryStore, newEpoch } from './memory-store';
import type { BatchOutcome, CallStore, Leg, Recovery, StoreLimits } from './store';

const SCHEMA_VERSION = '1';
export const STORE_FILE = 'relay.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS legs (
  call_id TEXT NOT NULL, extension TEXT NOT NULL, offset INTEGER NOT NULL, state_at INTEGER NOT NULL, event TEXT NOT NULL,
  PRIMARY KEY (call_id, extension));
CREATE TABLE IF NOT EXISTS history (offset INTEGER PRIMARY KEY, extension TEXT NOT NULL, stored_at INTEGER NOT NULL, event TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS floors (extension TEXT PRIMARY KEY, floor INTEGER NOT NULL);
`;

interface Statements {
  putLeg: Statement;
  deleteLeg: Statement;
  appendHistory: Statement;
  deleteHistory: Statement;
  setFloor: Statement;
  deleteFloor: Statement;
  setMeta: Statement;
}

export interface SqliteStoreOptions {
  dataDir: string;
  limits: StoreLimits;
  log?: (message: string, context?: Record<string, unknown>) => void;
}

export class SqliteStore implements CallStore {
  readonly kind = 'sqlite' as const;
  private readonly db: SqliteDatabase;
  private readonly statements: Statements;
  private readonly writeChanges: (changes: readonly StoreChange[], offset: number, globalFloor: number) => void;
  private pending: StoreChange[] = [];
  private state: MemoryStore;
  private readonly file: string;

  constructor(private readonly options: SqliteStoreOptions) {
    this.file = path.resolve(options.dataDir, STORE_FILE);
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      // No busy wait: a second relay on the same directory must fail at once, not after 5 s.
      this.db = new Database(this.file, { timeout: 0 });
      // One relay per data directory: two would hand out the same offsets under one epoch. The
      // exclusive lock is taken by the first write below and held until the store closes.
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.exec('BEGIN EXCLUSIVE; COMMIT;');
      this.db.exec(SCHEMA);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const reason = /locked|busy/i.test(message) ? `another relay is using this data directory (${message})` : message;
      throw new StoreOpenFailed(this.file, reason, { cause: error });
    }
    const schema = this.meta('schema');
    if (schema !== undefined && schema !== SCHEMA_VERSION) throw new StoreOpenFailed(this.file, `schema ${schema}, this relay reads ${SCHEMA_VERSION}`);
    this.statements = {
      putLeg: this.db.prepare(
        'INSERT INTO legs (call_id, extension, offset, state_at, event) VALUES (?, ?, ?, ?, ?) ON CONFLICT (call_id, extension) DO UPDATE SET offset = excluded.offset, state_at = excluded.state_at, event = excluded.event',
      ),
      deleteLeg: this.db.prepare('DELETE FROM legs WHERE call_id = ? AND extension = ?'),
      appendHistory: this.db.prepare('INSERT OR REPLACE INTO history (offset, extension, stored_at, event) VALUES (?, ?, ?, ?)'),
      deleteHistory: this.db.prepare('DELETE FROM history WHERE offset = ?'),
      setFloor: this.db.prepare('INSERT INTO floors (extension, floor) VALUES (?, ?) ON CONFLICT (extension) DO UPDATE SET floor = excluded.floor'),
      deleteFloor: this.db.prepare('DELETE FROM floors WHERE extension = ?'),
      setMeta: this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
    this.writeChanges = this.db.transaction((changes: readonly StoreChange[], offset: number, globalFloor: number) => {
      for (const change of changes) this.write(change);
      this.statements.setMeta.run('offset', String(offset));
      this.statements.setMeta.run('global_floor', String(globalFloor));
    });
    if (this.meta('epoch') === undefined) {
      // A new file is a new history: a new epoch, so no widget's old position is taken for this one's.
      this.db.transaction(() => {
        this.statements.setMeta.run('schema', SCHEMA_VERSION);
        this.statements.setMeta.run('epoch', newEpoch());
      })();
    }
    this.state = this.load();
    // Loading under smaller limits may have trimmed: make the file agree.
    this.flush('load');
  }

  private meta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  private load(): MemoryStore {
    const epoch = this.meta('epoch') as string;
    const state = new MemoryStore(this.options.limits, epoch, { record: (change) => this.pending.push(change) });
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
    for (const row of this.db.prepare('SELECT offset, state_at, event FROM legs ORDER BY offset').iterate() as Iterable<{ offset: number; state_at: number; event: string }>) {
      const event = read(row.event);
      if (event !== null) legs.push({ event, stateAt: row.state_at, offset: row.offset });
    }
    const history: HistoryEntry[] = [];
    for (const row of this.db.prepare('SELECT offset, stored_at, event FROM history ORDER BY offset').iterate() as Iterable<{ offset: number; stored_at: number; event: string }>) {
      const event = read(row.event);
      if (event !== null) history.push({ offset: row.offset, event, storedAt: row.stored_at });
    }
    const floors = (this.db.prepare('SELECT extension, floor FROM floors').all() as Array<{ extension: string; floor: number }>).map((row) => [row.extension, row.floor] as const);
    if (unreadable > 0) this.options.log?.('relay: store rows that are not JSON were skipped', { file: this.file, unreadable });
    this.pending = [];
    state.restore({ offset: Number(this.meta('offset') ?? 0), globalFloor: Number(this.meta('global_floor') ?? 0), legs, history, floors });
    return state;
  }

  private write(change: StoreChange): void {
    const s = this.statements;
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

  /** Commits the pending changes; on failure the state is reloaded from the file and the operation fails. */
  private flush(operation: string): void {
    if (this.pending.length === 0) return;
    const changes = this.pending;
    this.pending = [];
    try {
      this.writeChanges(changes, this.state.position().offset, this.state.globalFloor());
    } catch (error) {
      this.state = this.load();
      throw new StoreWriteFailed(operation, { cause: error });
    }
  }

  private run<T>(operation: string, work: (state: MemoryStore) => T): T {
    let result: T;
    try {
      result = work(this.state);
    } catch (error) {
      this.state = this.load();
      throw error;
    }
    this.flush(operation);
    return result;
  }

  apply(events: readonly CallEvent[], now: number): BatchOutcome {
    return this.run('apply', (state) => state.apply(events, now));
  }

  expire(now: number): SequencedEvent[] {
    return this.run('expire', (state) => state.expire(now));
  }

  legsOf(extensions: ReadonlySet<string>): Leg[] {
    return this.state.legsOf(extensions);
  }

  activeLegs(): Leg[] {
    return this.state.activeLegs();
  }

  position(): StreamCursor {
    return this.state.position();
  }

  missedSince(extensions: ReadonlySet<string>, since: StreamCursor): Recovery {
    return this.state.missedSince(extensions, since);
  }

  counts(): { legs: number; history: number } {
    return this.state.counts();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
