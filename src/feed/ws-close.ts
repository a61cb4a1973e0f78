/** What the relay's close codes mean to the widget (protocol: "WebSocket", close code table). */
import { NetworkError, ProtocolError } from '../core/errors';
import type { WidgetError } from '../core/errors';

/** Close code the relay uses for a wrong token (protocol step 6). */
export const CLOSE_UNAUTHORIZED = 4401;
/** Closes that say our own frames are wrong (bad subscribe, protocol error, bad data): not transient. */
const CLOSE_OUR_FAULT = new Set([1002, 1003, 1007, 4400]);
/** Overloaded (4503) and "you did not read fast enough" (4429): the relay asks for air. */
export const CLOSE_OVERLOADED: ReadonlySet<number> = new Set([4503, 4429]);

export function closeError(url: string, code: number, reason: string): WidgetError {
  if (CLOSE_OUR_FAULT.has(code)) return new ProtocolError(`feed: the relay closed the socket with ${code}`, { url, code, reason });
  return new NetworkError('WS', url, { cause: { code, reason } });
}
