/**
 * The call feed's wire format (docs/call-feed-protocol.md): event types, frame types and their
 * validation. The widget and the relay both import it, so the two can never disagree; it imports
 * nothing outside this folder.
 */
export type { CallEvent, CallState, CallDirection, CallResult } from './types';
export { parseCallEvent, toWireEvent, stateRank, EVENT_LIMITS } from './event';
export type { ParseResult, WireCallEvent } from './event';
export { parseServerFrame, parsePollPayload, parsePollBody, parseEventList, MAX_FRAME_CHARS, MAX_POLL_BODY_CHARS } from './frames';
export type { ServerFrame, PollAnswer, Dropped } from './frames';
export { isRecord } from './record';
export { parseUrl, HTTP_SCHEMES } from './url';
export type { UrlCheck } from './url';
