/**
 * Cross-tab coordination, public surface. The app builds one session per page:
 *
 *   const session = createTabSession<CallPopup, SharedState>({
 *     key: `${accountId}:${userId}`, tabId, clock, logger,
 *     ...browserTabEnvironment(window), page: browserPage(window),  // src/platform
 *     parsePopup, parseState,      // the app's checks of what another tab sends
 *     lead: (ctx) => { start feed + lookups + notifier; return { stop } },
 *     display: (popup) => sink.showPopup(popup),
 *     onState: (state) => panel.show(state),
 *   });
 *   // on switch-off: session.stop()
 *
 * In `lead`: pop-ups go through `ctx.showPopup(popup, callId)` (never straight to the sink),
 * `add_call` only after `!ctx.wasNotified(callId)` and `ctx.markNotified(callId)`, and the
 * state other tabs show through `ctx.publish(state)`.
 */
export { createTabSession } from './session';
export { defaultTabTiming } from './timing';
export type {
  Attention,
  Handover,
  LeadContext,
  LeadHandle,
  PayloadCheck,
  TabLocks,
  TabBroadcastChannel,
  TabBroadcastChannelCtor,
  TabEnvironment,
  TabMode,
  TabPage,
  TabRole,
  TabSession,
  TabSessionDeps,
  TabStorage,
  TabStorageEvent,
  TabTiming,
} from './types';
export type { LeaseShared } from './lease-shared-slot';
export type { leaseElectionWith } from './lease-part';
export type { PartLoader } from '../core/part';
export type { Election } from './election';
export type { LeaseElectionDeps } from './lease-election';
/** What script.js hands lease.js (lease-shared.ts): the shared code, so it is bundled once. */
export * as leaseShared from './lease-shared';
