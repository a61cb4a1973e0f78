/**
 * `POST <basePath>/ticket`: the widget's `$authorizedAjax` brings Kommo's one-time token in
 * `X-Auth-Token`; the relay answers a ticket for that user with the user's extensions. `OPTIONS`
 * answers the CORS preflight. A relay without Kommo settings answers 404 `tickets_disabled`
 * (with CORS, so the widget can read it and use its shared token, as in version 1).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { corsHeaders, sendJson, sendPreflight } from '../http-answers';
import type { Access } from './access';

function kommoToken(req: IncomingMessage): string | null {
  const header = req.headers['x-auth-token'];
  return typeof header === 'string' ? header : null;
}

export function createTicketRoute(access: Access) {
  return async function ticketRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') return sendPreflight(req, res, access.origins);
    // The body is not read: nothing in it counts.
    req.resume();
    const cors = corsHeaders(req, access.origins);
    if (method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed', reason: 'POST only' }, { ...cors, Allow: 'POST, OPTIONS' });
    const exchange = access.exchange(kommoToken(req));
    if (exchange === null) return sendJson(res, 404, { error: 'tickets_disabled' }, cors);
    const outcome = await exchange;
    if (!outcome.ok) return sendJson(res, 401, { error: 'unauthorized', reason: outcome.reason }, cors);
    sendJson(res, 200, { v: 2, ticket: outcome.ticket, expires_in: outcome.expiresInS, user_id: outcome.userId, extensions: [...outcome.extensions] }, cors);
  };
}
