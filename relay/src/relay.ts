/**
 * The reference relay: the server side of docs/call-feed-protocol.md, written to be read by PBX
 * vendors. The PBX POSTs call events in; widgets get them over a WebSocket (`/ws`) or by polling
 * (`GET /calls` JSON, `GET /calls.js` script mode). It validates events with the widget's own
 * validator (src/feed/parse.ts), so the two can never disagree.
 *
 * `createRelay()` only handles requests; mount it in any Node HTTP server (the sandbox does).
 * `startRelay()` (server.ts) runs it on its own port.
 *
 * Robustness rules: every input is bounded (body, frame, subscriptions), every bad input gets a
 * 4xx JSON answer or an `error` frame, and no handler may throw out into Node's event loop.
 */
import { BodyTooLarge, readBody } from './body';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
// Node's own timers (unref-able), also when the relay runs inside a jsdom test environment.
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { parseCallEvent, stateRank, toWireEvent } from '../../src/protocol';
import type { CallEvent, WireCallEvent } from '../../src/protocol';

export interface RelayOptions {
  /** What widgets present (the widget's `token` setting). */
  token: string;
  /** What the PBX presents on `POST /pbx/events`. */
  pbxToken: string;
  /** WebSocket connections at once, relay-wide (default 1000). */
  maxSubscribers?: number;
  /** Extensions one connection or poll may ask for (default 50). */
  maxExtensionsPerSubscriber?: number;
  /** `POST /pbx/events` body limit in bytes (default 256 KB). */
  maxBodyBytes?: number;
  /** Largest WebSocket frame accepted from a widget (default 16 KB; larger closes with 1009). */
  maxFrameBytes?: number;
  /** Events per POST (default 500). */
  maxEventsPerPost?: number;
  /** Calls remembered at once (default 10 000); the oldest ended ones go first. */
  maxCalls?: number;
  /** How long ended calls stay in poll answers (protocol: 60 s). */
  endedRetentionMs?: number;
  /** The socket must send `subscribe` within this time (default 10 s). */
  subscribeTimeoutMs?: number;
  /** Server-side liveness check of idle sockets (WebSocket-level ping; default 30 s). */
  sweepEveryMs?: number;
  /** Path prefix when mounted inside another server (default ''). */
  basePath?: string;
  now?: () => number;
  log?: (message: string, context?: Record<string, unknown>) => void;
}

export interface Relay {
  /** Handles the relay's HTTP routes; false when the request is not for the relay. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Handles a WebSocket upgrade to `/ws`; false when it is not for the relay. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Publishes an event as if the PBX had POSTed it (it must be valid). */
  publish(event: CallEvent): { changed: boolean };
  /** Calls ringing or answered now. */
  activeCalls(): CallEvent[];
  /** Open WebSocket subscribers. */
  subscriberCount(): number;
  close(): void;
}

interface Subscriber {
  socket: WebSocket;
  extensions: Set<string> | null; // null until `subscribe`
  alive: boolean;
}

interface StoredCall {
  event: CallEvent;
  /** Relay clock when it ended, for the 60 s retention of poll answers. */
  endedAt: number | null;
}

/** A JS identifier, so `callback=` can never inject code into the script-mode answer. */
const CALLBACK_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;
const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static enum await implements package protected interface private public'.split(' '),
);

/** Close codes (4000-4999 are the application's). */
export const CLOSE = { unauthorized: 4401, badRequest: 4400, subscribeTimeout: 4408, tooSlow: 4429 } as const;

class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export function createRelay(options: RelayOptions): Relay {
  const now = options.now ?? (() => Date.now());
  const log = options.log ?? (() => {});
  const maxSubscribers = options.maxSubscribers ?? 1000;
  const maxExtensions = options.maxExtensionsPerSubscriber ?? 50;
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
  const maxEventsPerPost = options.maxEventsPerPost ?? 500;
  const maxCalls = options.maxCalls ?? 10_000;
  const endedRetentionMs = options.endedRetentionMs ?? 60_000;
  const subscribeTimeoutMs = options.subscribeTimeoutMs ?? 10_000;
  const base = (options.basePath ?? '').replace(/\/$/, '');

  const calls = new Map<string, StoredCall>();
  const subscribers = new Set<Subscriber>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? 16 * 1024 });
  let closed = false;

  // ---- call state ---------------------------------------------------------------------------

  function forgetOld(): void {
    const t = now();
    for (const [id, stored] of calls) if (stored.endedAt !== null && t - stored.endedAt >= endedRetentionMs) calls.delete(id);
    for (const [id, stored] of calls) {
      if (calls.size <= maxCalls) break;
      if (stored.endedAt !== null) calls.delete(id);
    }
    for (const id of calls.keys()) {
      if (calls.size <= maxCalls) break;
      calls.delete(id);
    }
  }

  /** Forward-only, like the widget: a late `ringing` after `answered` changes nothing. */
  function store(event: CallEvent): boolean {
    const known = calls.get(event.callId);
    if (known !== undefined && stateRank(event.state) <= stateRank(known.event.state)) return false;
    calls.set(event.callId, { event, endedAt: event.state === 'ended' ? now() : null });
    forgetOld();
    return true;
  }

  function callsFor(extensions: Set<string>, includeEnded: boolean): WireCallEvent[] {
    forgetOld();
    const list: WireCallEvent[] = [];
    for (const { event } of calls.values()) {
      if (!extensions.has(event.extension)) continue;
      if (event.state === 'ended' && !includeEnded) continue;
      list.push(toWireEvent(event));
    }
    return list;
  }

  function publish(event: CallEvent): { changed: boolean } {
    if (!store(event)) return { changed: false };
    const frame = JSON.stringify({ type: 'call', call: toWireEvent(event) });
    for (const sub of subscribers) if (sub.extensions?.has(event.extension)) sendRaw(sub, frame);
    return { changed: true };
  }

  // ---- HTTP helpers -------------------------------------------------------------------------

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
    res.end(text);
  }

  /** CORS for the JSON poll: widgets run on https://<account>.kommo.com, another origin. */
  function corsHeaders(req: IncomingMessage): Record<string, string> {
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

  function sameSecret(given: string, expected: string): boolean {
    const a = createHash('sha256').update(given).digest();
    const b = createHash('sha256').update(expected).digest();
    return timingSafeEqual(a, b);
  }

  function bearer(req: IncomingMessage): string | null {
    const header = req.headers.authorization;
    if (typeof header !== 'string') return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? (match[1] ?? null) : null;
  }

  function parseExtensions(raw: unknown): Set<string> {
    const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
    if (list === null) throw new BadRequest(400, 'bad_request', 'extensions must be a list');
    const set = new Set<string>();
    for (const item of list) {
      if (typeof item !== 'string') throw new BadRequest(400, 'bad_request', 'each extension must be a string');
      const ext = item.trim();
      if (ext === '' || ext.length > 64) throw new BadRequest(400, 'bad_request', 'each extension must be 1..64 characters');
      set.add(ext);
    }
    if (set.size === 0) throw new BadRequest(400, 'bad_request', 'extensions is empty');
    if (set.size > maxExtensions) throw new BadRequest(400, 'bad_request', `at most ${maxExtensions} extensions`);
    return set;
  }

  async function readLimitedBody(req: IncomingMessage): Promise<string> {
    try {
      return await readBody(req, maxBodyBytes);
    } catch (error) {
      throw error instanceof BodyTooLarge ? new BadRequest(413, 'too_large', error.message) : error;
    }
  }

  // ---- HTTP routes --------------------------------------------------------------------------

  /** `POST /pbx/events`: one event or an array, all validated before any is applied. */
  async function postEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = bearer(req);
    if (token === null || !sameSecret(token, options.pbxToken)) {
      req.resume();
      return sendJson(res, 401, { error: 'unauthorized', reason: 'Authorization: Bearer <pbx token> is missing or wrong' });
    }
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/json\b/i.test(type)) {
      req.resume();
      return sendJson(res, 415, { error: 'unsupported_media_type', reason: 'send Content-Type: application/json' });
    }
    const text = await readLimitedBody(req);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new BadRequest(400, 'bad_json', 'the body is not JSON');
    }
    const list = Array.isArray(raw) ? raw : [raw];
    if (list.length === 0) throw new BadRequest(400, 'invalid_event', 'no events');
    if (list.length > maxEventsPerPost) throw new BadRequest(413, 'too_many_events', `at most ${maxEventsPerPost} events per request`);
    const received = now();
    const events: CallEvent[] = [];
    for (const [index, item] of list.entries()) {
      const parsed = parseCallEvent(item, received);
      if (!parsed.ok) {
        return sendJson(res, 400, { error: 'invalid_event', reason: `field ${parsed.reason} breaks the event table`, field: parsed.reason, index });
      }
      events.push(parsed.event);
    }
    let changed = 0;
    for (const event of events) if (publish(event).changed) changed += 1;
    sendJson(res, 200, { accepted: events.length, changed });
  }

  /** `GET /calls?extensions=101,102`: active calls plus calls ended in the last 60 s, with ETag. */
  function getCallsJson(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const cors = corsHeaders(req);
    const token = bearer(req);
    if (token === null || !sameSecret(token, options.token)) {
      return sendJson(res, 401, { error: 'unauthorized', reason: 'Authorization: Bearer <token> is missing or wrong' }, cors);
    }
    const extensions = parseExtensions(url.searchParams.get('extensions') ?? '');
    const body = JSON.stringify({ calls: callsFor(extensions, true) });
    const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
    const headers = { ...cors, ETag: etag, 'Cache-Control': 'no-cache' };
    const ifNoneMatch = req.headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((tag) => tag.trim() === etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
    res.end(body);
  }

  /**
   * `GET /calls.js?extensions=..&token=..&callback=NAME`: script mode. A <script> tag cannot see
   * status codes, so a wrong token is answered `NAME({"error":"unauthorized"})` with 200; only a
   * request that cannot name a callback gets a 4xx.
   */
  function getCallsScript(res: ServerResponse, url: URL): void {
    const callback = url.searchParams.get('callback') ?? '';
    if (!CALLBACK_NAME.test(callback) || RESERVED.has(callback)) {
      throw new BadRequest(400, 'bad_request', 'callback must be a JavaScript identifier (letters, digits, _ and $, at most 64)');
    }
    const token = url.searchParams.get('token') ?? '';
    const payload = sameSecret(token, options.token)
      ? { calls: callsFor(parseExtensions(url.searchParams.get('extensions') ?? ''), true) }
      : { error: 'unauthorized' };
    // U+2028/2029 are valid in JSON but ended JS string literals before ES2019.
    const json = JSON.stringify(payload).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
    res.writeHead(200, { 'Content-Type': 'application/javascript; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    res.end(`${callback}(${json});`);
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (path === '/pbx/events') {
      if (method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed', reason: 'POST only' }, { Allow: 'POST' });
      return postEvents(req, res);
    }
    if (path === '/calls') {
      if (method === 'OPTIONS') {
        res.writeHead(204, corsHeaders(req));
        res.end();
        return;
      }
      if (method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed', reason: 'GET only' }, { Allow: 'GET, OPTIONS' });
      return getCallsJson(req, res, url);
    }
    if (path === '/calls.js') {
      if (method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed', reason: 'GET only' }, { Allow: 'GET' });
      return getCallsScript(res, url);
    }
    if (path === '/health') return sendJson(res, 200, { ok: true, calls: calls.size, subscribers: subscribers.size });
  }

  const ROUTES = new Set(['/pbx/events', '/calls', '/calls.js', '/health']);

  function handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://relay.invalid');
    } catch {
      return false;
    }
    if (!url.pathname.startsWith(`${base}/`)) return false;
    const path = url.pathname.slice(base.length);
    if (!ROUTES.has(path)) return false;
    if (closed) {
      sendJson(res, 503, { error: 'closing', reason: 'the relay is shutting down' });
      return true;
    }
    route(req, res, url, path).catch((error: unknown) => {
      if (error instanceof BadRequest) {
        const headers = path === '/calls' ? corsHeaders(req) : {};
        sendJson(res, error.status, { error: error.error, reason: error.reason }, headers);
      } else {
        log('relay: request failed', { path, error: String(error) });
        sendJson(res, 500, { error: 'internal', reason: 'the relay failed; see its log' });
      }
    });
    return true;
  }

  // ---- WebSocket ----------------------------------------------------------------------------

  function sendRaw(sub: Subscriber, frame: string): void {
    if (sub.socket.readyState !== sub.socket.OPEN) return;
    // A widget that does not read its socket must not make the relay buffer without end.
    if (sub.socket.bufferedAmount > 1024 * 1024) {
      sub.socket.close(CLOSE.tooSlow, 'too slow');
      return;
    }
    sub.socket.send(frame);
  }

  function sendFrame(sub: Subscriber, frame: object): void {
    sendRaw(sub, JSON.stringify(frame));
  }

  function onFrame(sub: Subscriber, data: unknown, isBinary: boolean): void {
    sub.alive = true;
    if (isBinary) return sendFrame(sub, { type: 'error', code: 'bad_frame', reason: 'text frames only' });
    let frame: unknown;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return sendFrame(sub, { type: 'error', code: 'bad_frame', reason: 'not JSON' });
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      return sendFrame(sub, { type: 'error', code: 'bad_frame', reason: 'not an object' });
    }
    const { type } = frame as { type?: unknown };
    if (type === 'ping') return sendFrame(sub, { type: 'pong' });
    if (type === 'subscribe') {
      const { token, extensions } = frame as { token?: unknown; extensions?: unknown };
      if (typeof token !== 'string' || !sameSecret(token, options.token)) {
        sendFrame(sub, { type: 'error', code: 'unauthorized' });
        sub.socket.close(CLOSE.unauthorized, 'unauthorized');
        return;
      }
      try {
        if (!Array.isArray(extensions)) throw new BadRequest(400, 'bad_request', 'extensions must be a list of strings');
        sub.extensions = parseExtensions(extensions);
      } catch (error) {
        sendFrame(sub, { type: 'error', code: 'bad_request', reason: error instanceof BadRequest ? error.reason : 'bad subscribe' });
        sub.socket.close(CLOSE.badRequest, 'bad subscribe');
        return;
      }
      // Protocol step 3: a snapshot after every subscribe, so a reconnecting widget learns what it missed.
      sendFrame(sub, { type: 'snapshot', calls: callsFor(sub.extensions, false) });
      return;
    }
    // Unknown frame types are ignored, as the widget does (room for later versions).
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://relay.invalid').pathname;
    } catch {
      return false;
    }
    if (path !== `${base}/ws`) return false;
    socket.on('error', () => {}); // a reset during the handshake must not crash the process
    if (closed || subscribers.size >= maxSubscribers) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return true;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const sub: Subscriber = { socket: ws, extensions: null, alive: true };
      subscribers.add(sub);
      const deadline = setTimeout(() => {
        if (sub.extensions === null) ws.close(CLOSE.subscribeTimeout, 'subscribe first');
      }, subscribeTimeoutMs);
      deadline.unref();
      ws.on('message', (data, isBinary) => {
        try {
          onFrame(sub, data, isBinary);
        } catch (error) {
          log('relay: frame handling failed', { error: String(error) });
        }
      });
      ws.on('pong', () => {
        sub.alive = true;
      });
      ws.on('error', (error) => log('relay: socket error', { error: String(error) }));
      ws.on('close', () => {
        clearTimeout(deadline);
        subscribers.delete(sub);
      });
    });
    return true;
  }

  // Sockets that vanished without a close (a laptop lid shut) are found with WebSocket-level pings.
  const sweep = setInterval(() => {
    for (const sub of subscribers) {
      if (!sub.alive) {
        sub.socket.terminate();
        continue;
      }
      sub.alive = false;
      try {
        sub.socket.ping();
      } catch {
        // the socket is closing; the close handler removes it
      }
    }
  }, options.sweepEveryMs ?? 30_000);
  sweep.unref();

  return {
    handleRequest,
    handleUpgrade,
    publish(event) {
      return publish(event);
    },
    activeCalls() {
      forgetOld();
      return [...calls.values()].filter((c) => c.endedAt === null).map((c) => c.event);
    },
    subscriberCount() {
      return subscribers.size;
    },
    close() {
      closed = true;
      clearInterval(sweep);
      for (const sub of subscribers) sub.socket.terminate();
      subscribers.clear();
      wss.close();
    },
  };
}
