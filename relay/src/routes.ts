/**
 * The relay's HTTP routes: `POST /pbx/events` (the PBX), `GET /calls` and `GET /calls.js` (polling
 * widgets, version 1 or 2), `POST /ticket` (auth/ticket-route.ts), `POST /originate`
 * (originate/originate-route.ts), `GET /call-log` (calllog/status-route.ts), `GET /health`. Every bad input is answered with a 4xx JSON body
 * naming what to fix (RequestRefused); nothing here throws into Node's event loop.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { composePollV1, composePollV2, negotiateVersion, parseCallEvent, parseCursorParam } from '../../src/protocol';
import type { CallEvent } from '../../src/protocol';
import type { Access, Credential, Grant } from './auth/access';
import { forbiddenExtensions, pollRefusal, scriptRefusal } from './auth/refusals';
import { createTicketRoute } from './auth/ticket-route';
import { createCallLogStatusRoute } from './calllog/status-route';
import type { CallLogStatus } from './calllog/status';
import { BodyTooLarge, readBody } from './body';
import { RequestRefused, StoreWriteFailed } from './errors';
import { parseExtensions } from './extensions';
import { healthAnswer } from './guard/health-view';
import { refuseRecordingCredentials } from './guard/recording-url';
import { corsHeaders, isCallbackName, sendJson, sendPreflight, sendScript } from './http-answers';
import { admitTime } from './leg-rules';
import { createOriginateRoute } from './originate/originate-route';
import type { OriginateRouteOptions } from './originate/originate-route';
import { bearerToken, sameSecret } from './secrets';
import type { BatchOutcome, CallStore } from './store';
import { callsForV1, callsForV2 } from './versions';

export interface RouteOptions {
  store: CallStore;
  /** Who may poll which extensions (tickets, the legacy token). */
  access: Access;
  pbxToken: string;
  maxBodyBytes: number;
  maxEventsPerPost: number;
  maxExtensions: number;
  recentEndedMs: number;
  /** `Retry-After` of a 503 full / store failure (seconds). */
  retryAfterS: number;
  now: () => number;
  log: (message: string, context?: Record<string, unknown>) => void;
  /** Stores a batch and sends what it emitted to the subscribers. */
  ingest: (events: readonly CallEvent[]) => BatchOutcome;
  /** The relay's expiry, run before anything is read or stored. */
  beforeRead: () => void;
  health: () => Record<string, unknown>;
  /** Click-to-call: the adapter (null: disabled), the rate limit, the in-flight cap. */
  originate: Pick<OriginateRouteOptions, 'adapter' | 'intervalMs' | 'maxInFlight'>;
  /** The call log's status (null: the relay logs no calls). */
  callLogStatus: () => CallLogStatus | null;
}

export const ROUTES = new Set(['/pbx/events', '/calls', '/calls.js', '/ticket', '/originate', '/call-log', '/health']);
/** The routes browsers read across origins: their answers, errors included, carry CORS headers. */
export const CORS_ROUTES = new Set(['/calls', '/ticket', '/originate', '/call-log']);

export function createRoutes(o: RouteOptions) {
  const ticketRoute = createTicketRoute(o.access);
  const originateRoute = createOriginateRoute({ ...o.originate, access: o.access, now: o.now, log: o.log });
  const callLogRoute = createCallLogStatusRoute({ access: o.access, status: o.callLogStatus });
  async function readLimitedBody(req: IncomingMessage): Promise<string> {
    try {
      return await readBody(req, o.maxBodyBytes);
    } catch (error) {
      throw error instanceof BodyTooLarge ? new RequestRefused(413, 'too_large', error.message) : error;
    }
  }

  function parseBatch(text: string, receivedAt: number): { events: CallEvent[]; clamped: number[]; sentAt: number[] } {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new RequestRefused(400, 'bad_json', 'the body is not JSON');
    }
    const list = Array.isArray(raw) ? raw : [raw];
    if (list.length === 0) throw new RequestRefused(400, 'invalid_event', 'no events');
    if (list.length > o.maxEventsPerPost) throw new RequestRefused(413, 'too_many_events', `at most ${o.maxEventsPerPost} events per request`);
    const events: CallEvent[] = [];
    const clamped: number[] = [];
    const sentAt: number[] = [];
    for (const [index, item] of list.entries()) {
      const parsed = parseCallEvent(item, receivedAt);
      if (!parsed.ok) throw new RequestRefused(400, 'invalid_event', `field ${parsed.reason} breaks the event table`, { field: parsed.reason, index });
      refuseRecordingCredentials(item, index);
      const admitted = admitTime(parsed.event, receivedAt);
      if (admitted.clamped) {
        clamped.push(index);
        sentAt.push(parsed.event.at / 1000);
      }
      events.push(admitted.event);
    }
    return { events, clamped, sentAt };
  }

  /** `POST /pbx/events`: one event or an array, all validated before any is applied, committed before the answer. */
  async function postEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = bearerToken(req);
    if (token === null || !sameSecret(token, o.pbxToken)) {
      req.resume();
      return sendJson(res, 401, { error: 'unauthorized', reason: 'Authorization: Bearer <pbx token> is missing or wrong' });
    }
    if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) {
      req.resume();
      return sendJson(res, 415, { error: 'unsupported_media_type', reason: 'send Content-Type: application/json' });
    }
    const receivedAt = o.now();
    const { events, clamped, sentAt } = parseBatch(await readLimitedBody(req), receivedAt);
    // The log shows what the PBX sent (unix seconds), so its clock can be checked.
    if (clamped.length > 0) o.log('relay: an absurd `at` was replaced by the receipt time (check the PBX clock)', { indexes: clamped, sent_at: sentAt });
    o.beforeRead();
    let outcome: BatchOutcome;
    try {
      outcome = o.ingest(events);
    } catch (error) {
      if (!(error instanceof StoreWriteFailed)) throw error;
      o.log('relay: a POST could not be stored; the PBX is told to retry', { error: String(error.cause ?? error) });
      throw new RequestRefused(503, 'store_unavailable', 'the relay could not store the events; nothing was kept, retry later', {}, { 'Retry-After': String(o.retryAfterS) });
    }
    const changed = outcome.results.filter((r) => r === 'changed').length;
    const refused = outcome.results.flatMap((r, index) => (r === 'refused_full' ? [index] : []));
    const answer: Record<string, unknown> = { accepted: events.length - refused.length, changed };
    if (clamped.length > 0) answer.clamped = clamped;
    if (refused.length > 0) {
      const { legs } = o.store.counts();
      o.log('relay: full, new calls refused', { legs, refused: refused.length });
      return sendJson(
        res,
        503,
        { error: 'full', reason: `the relay holds ${legs} call legs, all live; new calls are refused until some end. The other events were stored: resend the whole request later`, refused, ...answer },
        { 'Retry-After': String(o.retryAfterS) },
      );
    }
    sendJson(res, 200, answer);
  }

  /** The poll answer of either version, for the JSON and the script route alike; 403 for another user's extension. */
  function pollPayload(url: URL, grant: Grant): object {
    const extensions = parseExtensions(url.searchParams.get('extensions') ?? '', o.maxExtensions);
    const forbidden = o.access.forbidden(grant, extensions);
    if (forbidden.length > 0) throw forbiddenExtensions(forbidden);
    const version = negotiateVersion(url.searchParams.get('v') ?? undefined);
    if (version === null) throw new RequestRefused(400, 'bad_request', 'v must be a positive integer');
    const sinceParam = url.searchParams.get('since');
    const since = version === 2 && sinceParam !== null && sinceParam !== '' ? parseCursorParam(sinceParam) : null;
    if (version === 2 && sinceParam !== null && sinceParam !== '' && since === null) {
      throw new RequestRefused(400, 'bad_request', 'since must be <epoch>:<offset>, as the last answer gave them');
    }
    o.beforeRead();
    const legs = o.store.legsOf(extensions);
    const rule = { now: o.now(), recentEndedMs: o.recentEndedMs };
    if (version === 1) return composePollV1(callsForV1(legs, { ...rule, includeEnded: true }));
    const recovery = since === null ? { recovered: false, missed: [] } : o.store.missedSince(extensions, since);
    return composePollV2({ ...o.store.position(), ...recovery, calls: callsForV2(legs, rule) });
  }

  /** `GET /calls?extensions=101,102[&v=2&since=E:N]`, with ETag. */
  async function getCallsJson(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const cors = corsHeaders(req, o.access.origins);
    const bearer = bearerToken(req);
    const checked = await o.access.authenticate(bearer === null ? null : { kind: 'bearer', value: bearer });
    if (!checked.ok) {
      const refused = pollRefusal(checked.code);
      return sendJson(res, refused.status, refused.body, cors);
    }
    const body = JSON.stringify(pollPayload(url, checked.grant));
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
   * `GET /calls.js?extensions=..&ticket=..&callback=NAME` (or the legacy `token=`): script mode. A
   * <script> tag cannot see status codes, so a refusal is answered `NAME({"error":"unauthorized"})`
   * (`ticket_expired`, `forbidden_extension` with `extensions`) with 200; only a request that
   * cannot name a callback, or with bad parameters, gets a 4xx.
   */
  async function getCallsScript(res: ServerResponse, url: URL): Promise<void> {
    const callback = url.searchParams.get('callback') ?? '';
    if (!isCallbackName(callback)) {
      throw new RequestRefused(400, 'bad_request', 'callback must be a JavaScript identifier (letters, digits, _ and $, at most 64)');
    }
    const ticket = url.searchParams.get('ticket');
    const token = url.searchParams.get('token');
    const credential: Credential = ticket !== null ? { kind: 'ticket', value: ticket } : token !== null ? { kind: 'token', value: token } : null;
    const checked = await o.access.authenticate(credential);
    if (!checked.ok) return sendScript(res, callback, scriptRefusal(checked.code));
    let payload: object;
    try {
      payload = pollPayload(url, checked.grant);
    } catch (error) {
      if (!(error instanceof RequestRefused) || error.code !== 'forbidden_extension') throw error;
      return sendScript(res, callback, scriptRefusal('forbidden_extension', error.detail.extensions as string[]));
    }
    sendScript(res, callback, payload);
  }

  return async function route(req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (path === '/pbx/events') {
      if (method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed', reason: 'POST only' }, { Allow: 'POST' });
      return postEvents(req, res);
    }
    if (path === '/calls') {
      if (method === 'OPTIONS') return sendPreflight(req, res, o.access.origins);
      if (method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed', reason: 'GET only' }, { Allow: 'GET, OPTIONS' });
      return getCallsJson(req, res, url);
    }
    if (path === '/calls.js') {
      if (method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed', reason: 'GET only' }, { Allow: 'GET' });
      return getCallsScript(res, url);
    }
    if (path === '/ticket') return ticketRoute(req, res);
    if (path === '/originate') return originateRoute(req, res);
    if (path === '/call-log') return callLogRoute(req, res);
    if (path === '/health') return sendJson(res, 200, healthAnswer(req, o.pbxToken, o.health));
  };
}
