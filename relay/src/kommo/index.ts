/** The Kommo API client's surface (issue 16): what the call log's worker and the command line use. */
export { createKommoApi, checkKommoBaseUrl, KOMMO_TIMEOUT_MS } from './client';
export type { KommoApiOptions } from './client';
export { KommoApiError, DETAIL_MAX } from './errors';
export type { KommoFailureKind } from './errors';
export { createKommoLimiter, whenAllowed, paused, IDLE_LIMITER, KOMMO_LIMIT, SYSTEM_CLOCK } from './limiter';
export type { KommoLimiter, KommoLimiterOptions, LimiterClock, LimiterState, LimitRule } from './limiter';
export { USER_AGENT } from './http';
export type { CallFiled, KommoApi, KommoCallBody, KommoOpenTask, KommoTaskBody, KommoUnsortedSipBody } from './types';
