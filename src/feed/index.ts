/** The call feed's public surface: everything other modules may use. */
export type { CallEvent, CallChange, FeedStatus, CallFeed, CallTransport, CallState, CallDirection, CallResult } from './types';
export { createCallFeed } from './feed';
export type { CallFeedDeps, FeedPage } from './feed';
export { createCallTracker } from './tracker';
export type { CallTracker, CallTrackerOptions } from './tracker';
export { backoffDelay, pollErrorDelay } from './backoff';
export type { ScriptLoader } from './poll-script';
export type { TransportLoader } from './deferred-transport';
export type { PollTransportDeps } from './poll-transport';
export type { PollShared } from './poll-shared-slot';
export type { createPollTransportWith } from './poll-part';
/** What leader.js hands poll.js (poll-shared.ts): the shared code, so it is bundled once. */
export * as pollShared from './poll-shared';
