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
import type { Database as SqliteDatabase } from 'better-sqlite3';
import path from 'node:path';
import type { CallEvent, SequencedEvent, StreamCursor } from '../../src/protocol';
import { StoreOpenFailed, StoreWriteFailed } from './errors';
import type { StoreChange } from './journal';
import { openStoreFile, prepareStatements, readStoreRows, SCHEMA_VERSION, STORE_FILE, writeChange } from './sqlite-file';
import type { Statements } from './sqlite-file';
import { MemoryStore, newEpoch } from './memory-store';
import type { BatchOutcome, CallStore, Leg, Recovery, StoreLimits } from './store';

export { STORE_FILE } from './sqlite-file';

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
    this.db = openStoreFile(this.file);
    const schema = this.meta('schema');
    if (schema !== undefined && schema !== SCHEMA_VERSION) throw new StoreOpenFailed(this.file, `schema ${schema}, this relay reads ${SCHEMA_VERSION}`);
    this.statements = prepareStatements(this.db);
    this.writeChanges = this.db.transaction((changes: readonly StoreChange[], offset: number, globalFloor: number) => {
      for (const change of changes) writeChange(this.statements, change);
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
    const { legs, history, floors, unreadable } = readStoreRows(this.db);
    if (unreadable > 0) this.options.log?.('relay: store rows that are not JSON were skipped', { file: this.file, unreadable });
    this.pending = [];
    state.restore({ offset: Number(this.meta('offset') ?? 0), globalFloor: Number(this.meta('global_floor') ?? 0), legs, history, floors });
    return state;
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

  allLegs(): Leg[] {
    return this.state.allLegs();
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
