/**
 * Which requests are the relay's, under its base path: a PBX source's own routes (the Asterisk
 * recordings), the relay's routes (routes.ts), the WebSocket upgrade to `/ws`; and how a route's
 * failure is answered (a RequestRefused as its JSON, anything else 500 and a log line), with CORS
 * headers on the routes browsers read across origins.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { RequestRefused } from './errors';
import { corsHeaders, sendJson } from './http-answers';
import type { PbxSource } from './pbx-source';
import { CORS_ROUTES, ROUTES } from './routes';

export interface RequestDispatchOptions {
  /** The path prefix the relay is mounted under ('' at the root). */
  base: string;
  route: (req: IncomingMessage, res: ServerResponse, url: URL, path: string) => Promise<void>;
  sourceRoutes: PbxSource['routes'] | undefined;
  origins: Parameters<typeof corsHeaders>[1];
  closed: () => boolean;
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  log: (message: string, context?: Record<string, unknown>) => void;
}

export function createRequestDispatch(o: RequestDispatchOptions) {
  function handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://relay.invalid');
    } catch {
      return false;
    }
    if (!url.pathname.startsWith(`${o.base}/`)) return false;
    const path = url.pathname.slice(o.base.length);
    if (o.sourceRoutes !== undefined && path.startsWith(o.sourceRoutes.prefix) && !o.closed()) {
      o.sourceRoutes.handle(req, res, path);
      return true;
    }
    if (!ROUTES.has(path)) return false;
    if (o.closed()) {
      sendJson(res, 503, { error: 'closing', reason: 'the relay is shutting down' });
      return true;
    }
    o.route(req, res, url, path).catch((error: unknown) => {
      const cors = CORS_ROUTES.has(path) ? corsHeaders(req, o.origins) : {};
      if (error instanceof RequestRefused) {
        sendJson(res, error.status, { error: error.code, reason: error.reason, ...error.detail }, { ...cors, ...error.headers });
      } else {
        o.log('relay: request failed', { path, error: String(error) });
        sendJson(res, 500, { error: 'internal', reason: 'the relay failed; see its log' }, cors);
      }
    });
    return true;
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://relay.invalid').pathname;
    } catch {
      return false;
    }
    if (path !== `${o.base}/ws`) return false;
    o.upgrade(req, socket, head);
    return true;
  }

  return { handleRequest, handleUpgrade };
}
