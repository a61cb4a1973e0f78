/**
 * `POST <basePath>/originate`: click-to-call (docs/originate.md). The widget asks the relay to
 * have the PBX ring the user's own phone and then dial `number`; the call itself comes back
 * through the feed as one outbound call. Checks in order: enabled, credential (Kommo's one-time
 * token, a relay ticket, or the legacy shared token), Content-Type, body (4 KB), number and
 * extension, the user's extensions, the rate limit, the relay-wide in-flight cap; only then is
 * the adapter asked. Every answer carries the CORS headers, and nothing here rejects: an adapter
 * that throws is logged and answered 500.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Access } from '../auth/access';
import { identifyCaller } from '../auth/caller';
import { BodyTooLarge, readBody } from '../body';
import { RequestRefused } from '../errors';
import { corsHeaders, sendJson, sendPreflight } from '../http-answers';
import { chooseExtension, createOriginateLimit, limitKey, readOriginateBody, truncateReason } from './originate-rules';
import type { OriginateOutcome, OriginateRequest, PbxAdapter } from './pbx-adapter';

/** The request is two short fields: 4 KB is generous, and all a stranger can make the relay read. */
export const MAX_ORIGINATE_BODY_BYTES = 4 * 1024;

export interface OriginateRouteOptions {
  access: Access;
  /** null: click-to-call is disabled (404 `originate_disabled`). */
  adapter: PbxAdapter | null;
  /** One originate per user (shared token: per extension) per interval; 0 turns the limit off. */
  intervalMs: number;
  /** Originates waiting on the PBX at once, relay-wide; one more is 503 `overloaded`. */
  maxInFlight: number;
  /** On a cluster: the interval counted over every node (ClusterLink.claimInterval). */
  claimInterval?: (key: string, ttlMs: number) => Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
  now: () => number;
  log: (message: string, context?: Record<string, unknown>) => void;
}

const REFUSED_CODES = new Set(['busy', 'bad_number', 'unknown_extension', 'not_allowed', 'other']);

export function createOriginateRoute(o: OriginateRouteOptions) {
  const limit = createOriginateLimit({ intervalMs: o.intervalMs, now: o.now });
  if (!Number.isSafeInteger(o.maxInFlight) || o.maxInFlight < 1) throw new RangeError(`maxOriginatesInFlight must be a positive integer, got ${String(o.maxInFlight)}`);
  let inFlight = 0;

  async function readLimitedBody(req: IncomingMessage): Promise<string> {
    try {
      return await readBody(req, MAX_ORIGINATE_BODY_BYTES);
    } catch (error) {
      throw error instanceof BodyTooLarge ? new RequestRefused(413, 'too_large', `the body must be at most ${MAX_ORIGINATE_BODY_BYTES} bytes`) : error;
    }
  }

  /** Everything the relay checks itself, in order; the request to hand the adapter. */
  async function admit(req: IncomingMessage, method: string): Promise<OriginateRequest> {
    if (method !== 'POST') throw new RequestRefused(405, 'method_not_allowed', 'POST only', {}, { Allow: 'POST, OPTIONS' });
    if (o.adapter === null) throw new RequestRefused(404, 'originate_disabled', 'this relay has no PBX to start calls with (--originate-url is not set)');
    const caller = await identifyCaller(o.access, req);
    if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) throw new RequestRefused(415, 'unsupported_media_type', 'send Content-Type: application/json');
    const asked = readOriginateBody(await readLimitedBody(req));
    const extension = chooseExtension(asked.extension, caller.own);
    const key = limitKey(caller.userId, extension);
    const rateLimited = (retryAfterS: number) => {
      const reason = `one call per ${caller.userId === null ? 'extension' : 'user'} every ${o.intervalMs / 1000} s: try again in ${retryAfterS} s`;
      return new RequestRefused(429, 'rate_limited', reason, { retry_after: retryAfterS }, { 'Retry-After': String(retryAfterS) });
    };
    const allowed = limit.check(key);
    if (!allowed.ok) throw rateLimited(allowed.retryAfterS);
    // Not counted against the rate limit: the PBX was not asked, and Retry-After says 1 s.
    if (inFlight >= o.maxInFlight) throw new RequestRefused(503, 'overloaded', `more than ${o.maxInFlight} calls are waiting on the PBX; retry in a second`, { retry_after: 1 }, { 'Retry-After': '1' });
    if (o.claimInterval !== undefined && o.intervalMs > 0) {
      const claimed = await o.claimInterval(`originate:${key}`, o.intervalMs);
      if (!claimed.ok) throw rateLimited(Math.max(1, Math.ceil(claimed.retryAfterMs / 1000)));
    }
    limit.record(key);
    return { id: randomUUID(), extension, number: asked.number, userId: caller.userId };
  }

  /** The adapter's outcome, or null when it broke its promise (threw, or answered something else); logged. */
  async function ask(adapter: PbxAdapter, request: OriginateRequest): Promise<OriginateOutcome | null> {
    inFlight += 1;
    try {
      const outcome = await adapter.originate(request);
      if (outcome !== null && typeof outcome === 'object' && (outcome.ok === true || (outcome.ok === false && (REFUSED_CODES.has(outcome.code) || outcome.code === 'unreachable' || outcome.code === 'timeout')))) return outcome;
      o.log('relay: originate: the PBX adapter answered something that is not an outcome', { id: request.id, outcome: truncateReason(String(JSON.stringify(outcome))) });
    } catch (error) {
      o.log('relay: originate: the PBX adapter failed (it must answer an outcome, never throw)', { id: request.id, error: truncateReason(String(error)) });
    } finally {
      inFlight -= 1;
    }
    return null;
  }

  function answer(res: ServerResponse, request: OriginateRequest, outcome: OriginateOutcome, cors: Record<string, string>): void {
    if (outcome.ok) {
      const callId = typeof outcome.callId === 'string' && outcome.callId.length >= 1 && outcome.callId.length <= 128 ? { call_id: outcome.callId } : {};
      return sendJson(res, 200, { ok: true, id: request.id, extension: request.extension, number: request.number, ...callId }, cors);
    }
    const reason = truncateReason(String(outcome.reason));
    if (outcome.code === 'unreachable' || outcome.code === 'timeout') {
      o.log(`relay: originate: the PBX ${outcome.code === 'timeout' ? 'did not answer in time' : 'could not be reached'}`, { id: request.id, extension: request.extension, reason });
      return sendJson(res, outcome.code === 'timeout' ? 504 : 502, { error: outcome.code === 'timeout' ? 'pbx_timeout' : 'pbx_unreachable', reason }, cors);
    }
    sendJson(res, 409, { error: 'pbx_refused', code: outcome.code, reason }, cors);
  }

  return async function originateRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') return sendPreflight(req, res, o.access.origins);
    const base = corsHeaders(req, o.access.origins);
    // The widget reads `retry_after` from the body; a cross-origin reader of the header needs it exposed.
    const cors = base['Access-Control-Allow-Origin'] === undefined ? base : { ...base, 'Access-Control-Expose-Headers': 'ETag, Retry-After' };
    try {
      const request = await admit(req, method);
      const outcome = await ask(o.adapter as PbxAdapter, request);
      if (outcome === null) return sendJson(res, 500, { error: 'internal', reason: 'the relay\'s PBX adapter failed; see the relay\'s log' }, cors);
      answer(res, request, outcome, cors);
    } catch (error) {
      // An answer before the body was read: drain it, so the client hears the answer, not a reset.
      req.resume();
      if (error instanceof RequestRefused) return sendJson(res, error.status, { error: error.code, reason: error.reason, ...error.detail }, { ...cors, ...error.headers });
      o.log('relay: originate: request failed', { error: truncateReason(String(error)) });
      sendJson(res, 500, { error: 'internal', reason: 'the relay failed; see its log' }, cors);
    }
  };
}
