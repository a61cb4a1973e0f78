/** How the relay writes HTTP answers: JSON bodies and the CORS headers of the poll routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

/** CORS for the JSON poll: widgets run on https://<account>.kommo.com, another origin. */
export function corsHeaders(req: IncomingMessage): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': typeof req.headers.origin === 'string' ? req.headers.origin : '*',
    'Access-Control-Allow-Headers': 'Authorization, If-None-Match, Content-Type',
    'Access-Control-Allow-Methods': 'GET, OPTIONS',
    // Without this the widget cannot read the ETag of a cross-origin answer.
    'Access-Control-Expose-Headers': 'ETag',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
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
