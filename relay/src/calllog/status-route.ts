/**
 * `GET <basePath>/call-log`: whether the relay logs calls in Kommo and whether that works, for the
 * widget's settings panel (docs/call-log.md, "Is it working?"). Any signed-in user of the account
 * (Kommo's one-time token, a ticket, or the legacy token) may ask: the answer names no caller and
 * no secret. `OPTIONS` answers the CORS preflight.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Access } from '../auth/access';
import { identifyCaller } from '../auth/caller';
import { corsHeaders, sendJson, sendPreflight } from '../http-answers';
import { browserView } from './status';
import type { CallLogStatus } from './status';

export function createCallLogStatusRoute(o: { access: Access; status: () => CallLogStatus | null }) {
  return async function callLogStatusRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') return sendPreflight(req, res, o.access.origins);
    req.resume();
    const cors = corsHeaders(req, o.access.origins);
    if (method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed', reason: 'GET only' }, { ...cors, Allow: 'GET, OPTIONS' });
    await identifyCaller(o.access, req);
    sendJson(res, 200, browserView(o.status()), { ...cors, 'Cache-Control': 'no-store' });
  };
}
