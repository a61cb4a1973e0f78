/** The notify module's public surface: pure text building and the CallNotifier. */
export type { CallPopup, CompletedCall, NotificationSink } from './types';
export type { NotifyStrings } from './strings';
export type { CallNotifier, CallNotifierDeps } from './notifier';
export { notifyStringsFrom, ENGLISH_NOTIFY_STRINGS, NOTIFY_STRING_KEYS } from './strings';
export { formatDuration } from './duration';
export { buildPopup } from './popup';
export { buildCompletedCall, callOutcome } from './completed';
export { createCallNotifier } from './notifier';
export { NOTIFY_TIMING, NOTIFY_LIMITS } from './timing';
