/**
 * The widget's `subscribe` frame (docs/call-feed-protocol.md, WebSocket step 2 and "Version 2"):
 * the widget writes it with `composeSubscribe`, the relay reads it with `parseSubscribe`. The
 * extensions list is checked by the relay against its own limits, so it is passed on unread.
 */
import { isRecord } from './record';
import { negotiateVersion, parseCursor, PROTOCOL_VERSION } from './stream';
import type { StreamCursor } from './stream';

/**
 * What the widget presents ("Authentication (version 2)"): the relay's short-lived ticket for the
 * signed-in Kommo user, or, with a version-1 relay, the account's shared token setting.
 */
export type FeedCredential = { kind: 'ticket'; ticket: string } | { kind: 'token'; token: string };

export type SubscribeFrame = {
  type: 'subscribe';
  extensions: string[];
  v?: number;
  since?: StreamCursor;
} & ({ ticket: string } | { token: string });

/** A version-2 subscribe; `since` is the last position the widget processed, if it has one. */
export function composeSubscribe(credential: FeedCredential, extensions: readonly string[], since: StreamCursor | null = null): SubscribeFrame {
  const presented = credential.kind === 'ticket' ? { ticket: credential.ticket } : { token: credential.token };
  const frame: SubscribeFrame = { type: 'subscribe', v: PROTOCOL_VERSION, ...presented, extensions: [...extensions] };
  if (since !== null) frame.since = { epoch: since.epoch, offset: since.offset };
  return frame;
}

/** A renewed ticket on an open socket; the relay answers `auth_ok`. */
export function composeAuth(ticket: string): { type: 'auth'; ticket: string } {
  return { type: 'auth', ticket };
}

/** How a credential travels in a poll: the Bearer header value, and the script-mode query parameter. */
export function pollCredential(credential: FeedCredential): { bearer: string; param: Record<string, string> } {
  return credential.kind === 'ticket'
    ? { bearer: credential.ticket, param: { ticket: credential.ticket } }
    : { bearer: credential.token, param: { token: credential.token } };
}

export interface SubscribeRequest {
  /** null when the frame has no string token (answered as a wrong token). */
  token: string | null;
  extensions: unknown;
  /** The version the relay answers with. */
  version: 1 | 2;
  /** Version 2 only; null without `since`. */
  since: StreamCursor | null;
}

export type SubscribeParse = { ok: true; request: SubscribeRequest } | { ok: false; field: 'v' | 'since'; reason: string };

/** Reads a decoded frame whose `type` is `subscribe`. */
export function parseSubscribe(frame: Record<string, unknown>): SubscribeParse {
  const version = negotiateVersion(frame.v);
  if (version === null) return { ok: false, field: 'v', reason: 'v must be a positive integer' };
  let since: StreamCursor | null = null;
  // A version-1 widget never sends `since`; if one does, version 1 has no use for it.
  if (version === 2 && frame.since !== undefined && frame.since !== null) {
    since = parseCursor(frame.since);
    if (since === null) return { ok: false, field: 'since', reason: 'since must be {"epoch": "<1..64 chars>", "offset": <integer >= 0>}' };
  }
  return { ok: true, request: { token: typeof frame.token === 'string' ? frame.token : null, extensions: frame.extensions, version, since } };
}

export function isSubscribeFrame(raw: unknown): raw is Record<string, unknown> {
  return isRecord(raw) && raw.type === 'subscribe';
}
