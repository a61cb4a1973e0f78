/** How the relay writes HTTP answers: JSON bodies, the CORS headers of the poll and ticket routes, script mode. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAllowedOrigin } from './auth/origins';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

/**
 * CORS for the JSON poll and the ticket route: widgets run on https://<account>.kommo.com, another
 * origin. With an allow-list (the Kommo settings) only its origins are named, anything else gets
 * no Access-Control-Allow-Origin (the browser then hides the answer); without one (the legacy
 * token alone) any origin, as in version 1.
 */
export function corsHeaders(req: IncomingMessage, allowed: readonly string[] | null): Record<string, string> {
  const origin = req.headers.origin;
  const allowOrigin = allowed === null ? (typeof origin === 'string' ? origin : '*') : isAllowedOrigin(origin, allowed) ? origin : null;
  if (allowOrigin === null) return { Vary: 'Origin' };
  return {
    'Access-Control-Allow-Origin': allowOrigin,
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, If-None-Match, X-Auth-Token',
    'Access-Control-Allow-Methods': 'GET, POST',
    // Without this the widget cannot read the ETag of a cross-origin answer.
    'Access-Control-Expose-Headers': 'ETag',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

/** `OPTIONS`: 204 with the CORS headers, or 403 naming the refusal for an origin not on the allow-list. */
export function sendPreflight(req: IncomingMessage, res: ServerResponse, allowed: readonly string[] | null): void {
  const headers = corsHeaders(req, allowed);
  if (headers['Access-Control-Allow-Origin'] === undefined) {
    return sendJson(res, 403, { error: 'origin_not_allowed', reason: 'this Origin is not one of the relay\'s --kommo-origin' }, headers);
  }
  res.writeHead(204, headers);
  res.end();
}

/** A JS identifier, so `callback=` can never inject code into the script-mode answer. */
const CALLBACK_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;
const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static enum await implements package protected interface private public'.split(' '),
);

export function isCallbackName(name: string): boolean {
  return CALLBACK_NAME.test(name) && !RESERVED.has(name);
}

/** `NAME(payload);` U+2028/2029 are valid in JSON but ended JS string literals before ES2019. */
export function sendScript(res: ServerResponse, callback: string, payload: unknown): void {
  const json = JSON.stringify(payload).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  res.writeHead(200, { 'Content-Type': 'application/javascript; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${callback}(${json});`);
}
