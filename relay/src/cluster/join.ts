/**
 * How a node joins the cluster: the shared epoch (the first node sets it), the latest snapshot
 * loaded into a fresh copy of the store, then every log entry after it applied, until the copy
 * has caught up. Only then does the node listen, so no widget is served an old copy and no old
 * event reaches a socket as if it were new.
 */
import { MemoryStore, newEpoch } from '../memory-store';
import type { StoreLimits } from '../store';
import type { ClusterBackend, LogRecord } from './backend';
import { compareIds } from './backend';
import { Replica } from './replica';
import { decodeSnapshot } from './snapshot';

export interface Joined {
  epoch: string;
  replica: Replica;
  /** The last entry applied. */
  lastId: string;
  /** The snapshot the copy started from (the next snapshot trims the log up to it). */
  snapshotId: string | null;
}

/** Entries read per round trip while catching up. */
export const CATCH_UP_BATCH = 1000;

export async function joinCluster(o: {
  backend: ClusterBackend;
  limits: StoreLimits;
  log: (message: string, context?: Record<string, unknown>) => void;
  apply: (replica: Replica, record: LogRecord) => void;
}): Promise<Joined> {
  const { epoch } = await o.backend.claimEpoch(newEpoch());
  // A snapshot is taken every so often and the log trimmed to the one before: a node that read a
  // snapshot just before two more were taken would find its next entries gone, and reads again.
  for (let attempt = 1; ; attempt += 1) {
    const replica = new Replica(new MemoryStore(o.limits, epoch));
    let lastId = '0-0';
    let snapshotId: string | null = null;
    let seeded = false;
    const payload = await o.backend.loadSnapshot();
    if (payload !== null) {
      const decoded = decodeSnapshot(payload);
      if (!decoded.ok) o.log('relay: the cluster snapshot cannot be read; the log is read from its start', { reason: decoded.reason });
      else if (decoded.snapshot.epoch !== epoch) o.log('relay: the cluster snapshot is of another epoch; not used', { snapshot: decoded.snapshot.epoch, epoch });
      else {
        replica.store.restore(decoded.snapshot.state);
        replica.clock = decoded.snapshot.clock;
        lastId = decoded.snapshot.id;
        snapshotId = decoded.snapshot.id;
        seeded = decoded.snapshot.seeded === true;
      }
    }
    const first = await o.backend.firstId();
    if (snapshotId !== null && !seeded && first !== null && compareIds(first, snapshotId) > 0) {
      if (attempt >= 3) throw new Error(`the cluster log was trimmed past the snapshot three times in a row (log from ${first}, snapshot at ${snapshotId})`);
      continue;
    }
    for (;;) {
      const batch = await o.backend.read(lastId, 0, CATCH_UP_BATCH);
      for (const record of batch) {
        o.apply(replica, record);
        lastId = record.id;
      }
      if (batch.length < CATCH_UP_BATCH) break;
    }
    return { epoch, replica, lastId, snapshotId };
  }
}
