/** The reference relay's public surface (the sandbox and the e2e tests import it). */
export { createRelay, CLOSE } from './relay';
export type { Relay, RelayOptions } from './relay';
export { startRelay } from './server';
export type { RunningRelay } from './server';
