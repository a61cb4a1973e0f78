/**
 * The call feed's wire format (docs/call-feed-protocol.md): event types, frame types and their
 * validation. The widget and the relay both import it, so the two can never disagree; it imports
 * nothing outside this folder.
 */
export type { CallEvent, CallState, CallDirection, CallResult } from './types';
export { parseCallEvent, toWireEvent, stateRank, EVENT_LIMITS } from './event';
export type { ParseResult, WireCallEvent } from './event';
export { parseServerFrame, parsePollPayload, parsePollBody, parseEventList, MAX_FRAME_CHARS, MAX_POLL_BODY_CHARS, MAX_RETRY_AFTER_S } from './frames';
export type { ServerFrame, PollAnswer, Dropped, StreamState } from './frames';
export { PROTOCOL_VERSION, STREAM_LIMITS, parseCursor, parseCursorParam, formatCursorParam, negotiateVersion, isEpoch, isOffset } from './stream';
export type { StreamCursor } from './stream';
export { composeAuth, composeSubscribe, parseSubscribe, isSubscribeFrame, pollCredential } from './subscribe';
export type { FeedCredential, SubscribeFrame, SubscribeRequest, SubscribeParse } from './subscribe';
export { composeSnapshotV1, composeSnapshotV2, composeCallFrame, composePollV1, composePollV2, composeError } from './compose';
export type { SequencedEvent, WireSequencedEvent, StreamAnswer } from './compose';
export { isRecord } from './record';
export { internalExtension, stripPhoneSeparators, MAX_EXTENSION_DIGITS } from './phone';
export { parseUrl, HTTP_SCHEMES } from './url';
export type { UrlCheck } from './url';
