/**
 * The relay's store from its options: a store of the caller's own (tests), the SQLite file in
 * `dataDir` (the command line), or memory; with the leg and history limits the options give.
 */
import { MemoryStore } from './memory-store';
import type { RelaySettings } from './options';
import { SqliteStore } from './sqlite-store';
import type { CallStore } from './store';

export function openStore(options: RelaySettings, log: (message: string, context?: Record<string, unknown>) => void): CallStore {
  if (options.store !== undefined) return options.store;
  const limits = {
    maxLegs: options.maxCalls,
    ringingMaxAgeMs: options.ringingMaxAgeMs,
    answeredMaxAgeMs: options.answeredMaxAgeMs,
    endedKeepMs: options.endedKeepMs,
    historyMaxAgeMs: options.historyMaxAgeMs,
    historyMaxPerExtension: options.historyMaxPerExtension,
    historyMaxEvents: options.historyMaxEvents,
  };
  return options.dataDir !== undefined ? new SqliteStore({ dataDir: options.dataDir, limits, log }) : new MemoryStore(limits);
}
