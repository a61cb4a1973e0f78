/**
 * The relay's store from its options: a cluster node's copy, a store of the caller's own (tests),
 * the SQLite file in `dataDir` (the command line), or memory; with the leg and history limits
 * the options give.
 */
import { AuthConfigError } from './auth/config-error';
import { openCallLog } from './calllog/open-call-log';
import { createClusterCallLog } from './calllog/cluster-call-log';
import type { CallLog } from './calllog/call-log';
import { MemoryStore } from './memory-store';
import type { RelaySettings } from './options';
import { SqliteStore } from './sqlite-store';
import type { CallStore, StoreLimits } from './store';

/**
 * What a relay holds: its store (a cluster node's copy, or its own) and its call log. A call log
 * whose outbox cannot be opened leaves the store it opened closed again, not locked.
 */
export function openRelayState(options: RelaySettings, now: () => number, log: (message: string, context?: Record<string, unknown>) => void) {
  // Each node would read the PBX on its own: on a cluster, one node at a time does (leasedPbx).
  if (options.cluster !== undefined && options.pbxSource !== undefined && options.pbxSource.leased !== true) {
    throw new AuthConfigError('cluster', 'a PBX source on a cluster node must be wrapped in leasedPbx (relay/src/cluster/leased-pbx.ts), so that one node reads the PBX');
  }
  const { cluster, callLog: given } = options;
  const store = cluster?.store ?? openStore(options, log);
  try {
    if (cluster === undefined || given === undefined) return { store, callLog: openCallLog(options, now, log) };
    // One node writes to Kommo, from an outbox kept in Redis.
    const callLog = createClusterCallLog({
      cluster,
      open: (outbox) => openCallLog({ ...options, callLog: { ...given, outbox } }, now, log) as CallLog,
      legs: () => store.allLegs().map((leg) => leg.event),
      log,
    });
    return { store, callLog };
  } catch (error) {
    if (options.cluster === undefined) store.close();
    throw error;
  }
}

function openStore(options: RelaySettings, log: (message: string, context?: Record<string, unknown>) => void): CallStore {
  if (options.store !== undefined) return options.store;
  const limits = storeLimits(options);
  return options.dataDir !== undefined ? new SqliteStore({ dataDir: options.dataDir, limits, log }) : new MemoryStore(limits);
}

/** The leg and history limits of a relay's settings (a cluster node's copy has the same). */
export function storeLimits(options: RelaySettings): StoreLimits {
  return {
    maxLegs: options.maxCalls,
    ringingMaxAgeMs: options.ringingMaxAgeMs,
    answeredMaxAgeMs: options.answeredMaxAgeMs,
    endedKeepMs: options.endedKeepMs,
    historyMaxAgeMs: options.historyMaxAgeMs,
    historyMaxPerExtension: options.historyMaxPerExtension,
    historyMaxEvents: options.historyMaxEvents,
  };
}
