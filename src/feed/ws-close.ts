/** What the relay's close codes mean to the widget (protocol: "WebSocket", close code table). */
import { NetworkError, ProtocolError } from '../core/errors';
import type { WidgetError } from '../core/errors';

/** A wrong token or ticket (4401, protocol step 6) and an expired ticket (4419): renew the credential. */
export const CLOSE_REFUSED: ReadonlySet<number> = new Set([4401, 4419]);
/** Extensions that are not the ticket user's (`forbidden_extension`). */
export const CLOSE_FORBIDDEN = 4403;
/** Closes that say our own frames are wrong (bad subscribe, protocol error, bad data): not transient. */
const CLOSE_OUR_FAULT = new Set([1002, 1003, 1007, 4400]);
/** Overloaded (4503), "you did not read fast enough" (4429), "too many frames" (4420): the relay asks for air. */
export const CLOSE_OVERLOADED: ReadonlySet<number> = new Set([4503, 4429, 4420]);

export function closeError(url: string, code: number, reason: string): WidgetError {
  if (CLOSE_OUR_FAULT.has(code)) return new ProtocolError(`feed: the relay closed the socket with ${code}`, { url, code, reason });
  return new NetworkError('WS', url, { cause: { code, reason } });
}
