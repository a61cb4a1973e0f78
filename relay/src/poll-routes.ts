/**
 * The polling routes: `GET /calls` (JSON, with ETag and CORS) and `GET /calls.js` (script mode),
 * version 1 or 2, for the extensions the credential may read (docs/call-feed-protocol.md,
 * "Polling"). routes.ts dispatches to them.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { composePollV1, composePollV2, negotiateVersion, parseCursorParam } from '../../src/protocol';
import type { Access, Credential, Grant } from './auth/access';
import { forbiddenExtensions, pollRefusal, scriptRefusal } from './auth/refusals';
import { RequestRefused } from './errors';
import { parseExtensions } from './extensions';
import { corsHeaders, isCallbackName, sendJson, sendScript } from './http-answers';
import { bearerToken } from './secrets';
import type { CallStore } from './store';
import { callsForV1, callsForV2 } from './versions';

export interface PollRouteOptions {
  store: CallStore;
  access: Access;
  maxExtensions: number;
  recentEndedMs: number;
  now: () => number;
  /** The relay's expiry, run before anything is read. */
  beforeRead: () => void;
}

export function createPollRoutes(o: PollRouteOptions) {
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

  return { json: getCallsJson, script: getCallsScript };
}
