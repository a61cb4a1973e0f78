/**
 * The relay's HTTP routes: `POST /pbx/events` (the PBX), `GET /calls` and `GET /calls.js` (polling,
 * poll-routes.ts), `POST /ticket` (auth/ticket-route.ts), `POST /originate`
 * (originate/originate-route.ts), `GET /call-log` (calllog/status-route.ts), `GET /health`. Every bad input is answered with a 4xx JSON body
 * naming what to fix (RequestRefused); nothing here throws into Node's event loop.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCallEvent } from '../../src/protocol';
import type { CallEvent } from '../../src/protocol';
import type { Access } from './auth/access';
import { createTicketRoute } from './auth/ticket-route';
import { createCallLogStatusRoute } from './calllog/status-route';
import type { CallLogStatus } from './calllog/status';
import { BodyTooLarge, readBody } from './body';
import { RequestRefused, StoreWriteFailed } from './errors';
import { healthAnswer } from './guard/health-view';
import { refuseRecordingCredentials } from './guard/recording-url';
import { sendJson, sendPreflight } from './http-answers';
import { admitTime } from './leg-rules';
import { createOriginateRoute } from './originate/originate-route';
import { createPollRoutes } from './poll-routes';
import type { OriginateRouteOptions } from './originate/originate-route';
import { bearerToken, sameSecret } from './secrets';
import type { BatchOutcome, CallStore } from './store';

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
  ingest: (events: readonly CallEvent[]) => BatchOutcome | Promise<BatchOutcome>;
  /** The relay's expiry, run before anything is read or stored. */
  beforeRead: () => void;
  health: () => Record<string, unknown>;
  /** Click-to-call: the adapter (null: disabled), the rate limit, the in-flight cap. */
  originate: Pick<OriginateRouteOptions, 'adapter' | 'intervalMs' | 'maxInFlight' | 'claimInterval'>;
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
  const polls = createPollRoutes(o);
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
      outcome = await o.ingest(events);
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

  return async function route(req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (path === '/pbx/events') {
      if (method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed', reason: 'POST only' }, { Allow: 'POST' });
      return postEvents(req, res);
    }
    if (path === '/calls') {
      if (method === 'OPTIONS') return sendPreflight(req, res, o.access.origins);
      if (method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed', reason: 'GET only' }, { Allow: 'GET, OPTIONS' });
      return polls.json(req, res, url);
    }
    if (path === '/calls.js') {
      if (method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed', reason: 'GET only' }, { Allow: 'GET' });
      return polls.script(res, url);
    }
    if (path === '/ticket') return ticketRoute(req, res);
    if (path === '/originate') return originateRoute(req, res);
    if (path === '/call-log') return callLogRoute(req, res);
    if (path === '/health') return sendJson(res, 200, healthAnswer(req, o.pbxToken, o.health));
  };
}
