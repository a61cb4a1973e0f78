/**
 * Cross-tab coordination, public surface. The app builds one session per page:
 *
 *   const session = createTabSession({
 *     key: `${accountId}:${userId}`, tabId, clock, logger,
 *     ...browserTabEnvironment(window), page: browserPage(window),  // src/platform
 *     lead: (ctx) => { start feed + lookups + notifier; return { stop } },
 *     display: (popup) => sink.showPopup(popup),
 *     onState: (state) => panel.show(state),
 *   });
 *   // on switch-off: session.stop()
 *
 * In `lead`: pop-ups go through `ctx.showPopup(popup, callId)` (never straight to the sink),
 * `add_call` only after `!ctx.wasNotified(callId)` and `ctx.markNotified(callId)`, and the
 * calls in progress through `ctx.publish(...)` (see `toSharedCaller`).
 */
export { createTabSession } from './session';
export { toSharedCaller, parseSharedCallState } from './shared-state';
export { defaultTabTiming } from './timing';
export type {
  Attention,
  Handover,
  LeadContext,
  LeadHandle,
  SharedCallState,
  SharedCaller,
  TabLocks,
  TabBroadcastChannel,
  TabBroadcastChannelCtor,
  TabEnvironment,
  TabPage,
  TabRole,
  TabSession,
  TabSessionDeps,
  TabStorage,
  TabStorageEvent,
  TabTiming,
} from './types';
