/**
 * What the lease election (lease-election.ts) takes from the rest of the widget at run time. In
 * script.js and the tests this is the real code; lease.js (the part, loaded only in browsers
 * without Web Locks) is built with lease-shared-slot.ts instead (webpack.config.js), filled with
 * script.js's own functions when it is handed over (lease-part.ts), so nothing is bundled twice.
 */
export { runQueued } from '../core/queued-machine';
export { createSingleTimer } from '../core/timer';
