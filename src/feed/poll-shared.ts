/**
 * Everything the polling transport (poll-*.ts) takes from the rest of the widget at run time, in
 * one place. In script.js and in the tests this is the real code. poll.js (the polling part,
 * loaded only by polling installs: src/platform/widget-part.ts) must not carry a second copy of
 * it, so its build swaps this module for poll-shared-slot.ts (webpack.config.js), which is filled
 * with script.js's own functions when the part is handed over (poll-part.ts).
 */
export { classifyFetchFailure } from '../core/fetch-failure';
export { createEmitter } from '../core/emitter';
export { createSingleTimer } from '../core/timer';
export { ProtocolError } from '../core/errors';
export { parsePollBody, parsePollPayload } from '../protocol/frames';
export { formatCursorParam, PROTOCOL_VERSION } from '../protocol/stream';
export { pollCredential } from '../protocol/subscribe';
export { isOverloadAnswer, pollRetryDelay } from './backoff';
export { runMachine } from './machine';
export { recoverFrom } from './recovery';
