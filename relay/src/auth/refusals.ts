/**
 * How an access refusal reaches the widget (docs/call-feed-protocol.md, "Authentication (version
 * 2)"): an error frame and a close code on the WebSocket, a status and a JSON body in a poll, a
 * callback argument in script mode (a <script> tag cannot read a status).
 */
import { composeError } from '../../../src/protocol';
import { CLOSE } from '../close-codes';
import { RequestRefused } from '../errors';
import type { AccessCode } from './access';

export type RefusalCode = AccessCode | 'forbidden_extension';

export interface SocketRefusal {
  frame: Record<string, unknown>;
  closeCode: number;
  closeReason: string;
}

const CLOSES: Record<RefusalCode, readonly [number, string]> = {
  unauthorized: [CLOSE.unauthorized, 'unauthorized'],
  ticket_expired: [CLOSE.ticketExpired, 'ticket expired'],
  forbidden_extension: [CLOSE.forbiddenExtension, 'forbidden extension'],
};

/** The refused extensions travel with `forbidden_extension`, so the settings panel can name them. */
function payload(code: RefusalCode, extensions: readonly string[]): Record<string, unknown> {
  return code === 'forbidden_extension' ? { extensions: [...extensions] } : {};
}

export function socketRefusal(code: RefusalCode, extensions: readonly string[] = []): SocketRefusal {
  const [closeCode, closeReason] = CLOSES[code];
  return { frame: { ...composeError(code), ...payload(code, extensions) }, closeCode, closeReason };
}

const REASONS: Record<RefusalCode, string> = {
  unauthorized: 'Authorization: Bearer <ticket or token> is missing or wrong',
  ticket_expired: 'the ticket has expired: get a new one (POST <relay>/ticket)',
  forbidden_extension: 'these extensions are not the ticket user\'s (the relay\'s users file)',
};

/** A JSON poll's answer: 401 unauthorized / ticket_expired, 403 forbidden_extension. */
export function pollRefusal(code: RefusalCode, extensions: readonly string[] = []): { status: number; body: Record<string, unknown> } {
  return { status: code === 'forbidden_extension' ? 403 : 401, body: { error: code, reason: REASONS[code], ...payload(code, extensions) } };
}

/** Script mode's `NAME({...})` argument, as version 1's `{"error": "unauthorized"}`. */
export function scriptRefusal(code: RefusalCode, extensions: readonly string[] = []): Record<string, unknown> {
  return { error: code, ...payload(code, extensions) };
}

/** A poll for extensions that are not the ticket user's: 403, answered by the relay's usual error path. */
export function forbiddenExtensions(extensions: readonly string[]): RequestRefused {
  return new RequestRefused(403, 'forbidden_extension', REASONS.forbidden_extension, { extensions: [...extensions] });
}
