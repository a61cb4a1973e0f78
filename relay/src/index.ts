/** The reference relay's public surface (the sandbox and the e2e tests import it). */
export { createRelay, CLOSE, RELAY_DEFAULTS } from './relay';
export type { Relay, RelayOptions } from './relay';
export { MemoryStore } from './memory-store';
export { SqliteStore, STORE_FILE } from './sqlite-store';
export type { CallStore, Leg, StoreLimits, BatchOutcome, Recovery } from './store';
export { RequestRefused, StoreOpenFailed, StoreWriteFailed } from './errors';
export { startRelay } from './server';
export type { RunningRelay } from './server';
export { createHttpAdapter } from './originate/http-adapter';
export type { HttpAdapterOptions } from './originate/http-adapter';
export type { OriginateOutcome, OriginateRefusal, OriginateRequest, PbxAdapter } from './originate/pbx-adapter';
