/**
 * What the cluster needs from Redis, as a plain interface: the shared log (a Redis Stream), the
 * epoch, the snapshot, and leases. redis-backend.ts implements it with ioredis; the rules in
 * cluster-node.ts never see a Redis client.
 */
export interface LogRecord {
  id: string;
  payload: string;
}

export interface ClusterBackend {
  /** Appends to the log; its id. Rejects at once when Redis cannot take it now (nothing queued). */
  append(payload: string): Promise<string>;
  /** Entries after `afterId` (`0-0`: from the start), waiting up to `blockMs` for one (0: do not wait). */
  read(afterId: string, blockMs: number, count: number): Promise<LogRecord[]>;
  /** The id of the log's oldest entry still kept, or null when it is empty. */
  firstId(): Promise<string | null>;
  /** Sets the epoch to `candidate` unless one is set; the epoch, and whether it was this call that set it. */
  claimEpoch(candidate: string): Promise<{ epoch: string; created: boolean }>;
  loadSnapshot(): Promise<string | null>;
  /** Stores the snapshot, then forgets log entries older than `trimBefore` (when given). */
  saveSnapshot(payload: string, trimBefore: string | null): Promise<void>;
  /** Takes or renews the lease `name` for `holder` for `ttlMs`; true when `holder` holds it now. */
  holdLease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
  /** A value kept whole under `name` (the call log's outbox), or null when none was written. */
  readValue(name: string): Promise<string | null>;
  writeValue(name: string, payload: string): Promise<void>;
  /** Sets `key` for `ttlMs` unless set: null when it was set now, else the ms it has left. */
  claimOnce(key: string, ttlMs: number): Promise<number | null>;
  /** Replaces this node's socket counts (`field` -> count, and SLOTS_WRITE_FIELD), kept `ttlMs` unless reported again. */
  reportSlots(node: string, counts: ReadonlyMap<string, number | string>, ttlMs: number): Promise<void>;
  /**
   * Changes this node's counts, as of the write `from` (their SLOTS_WRITE_FIELD), by `changed` and
   * `removed` into the write `to`, kept `ttlMs`; false, with nothing changed, when Redis does not
   * hold the write `from` (lost, or an older one: it restarted).
   */
  updateSlots(node: string, from: string, to: string, changed: ReadonlyMap<string, number>, removed: readonly string[], ttlMs: number): Promise<boolean>;
  /** Keeps this node's counts, and it among the live nodes, `ttlMs` more; false, as updateSlots, when Redis does not hold the write `current`. */
  renewSlots(node: string, current: string, ttlMs: number): Promise<boolean>;
  /** The socket counts of the other nodes that reported within `aliveWithinMs`, summed per field. */
  otherSlots(node: string, aliveWithinMs: number): Promise<Map<string, number>>;
  /** Resolves once Redis can be used; rejects after `timeoutMs` with why it cannot. */
  waitReady(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The field of a node's slots hash that names the write it holds (not a number, so readers that
 * sum the counts skip it): a node that finds another there writes its counts whole again.
 */
export const SLOTS_WRITE_FIELD = '#';

/** Stream ids are `<ms>-<seq>`: compared as two numbers, not as strings. */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}
