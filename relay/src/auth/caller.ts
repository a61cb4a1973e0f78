/**
 * Who sends a browser request to the relay (click-to-call, the call log's status): Kommo's
 * one-time token (`X-Auth-Token`, the widget's `$authorizedAjax`) when the relay has the Kommo
 * settings, else `Authorization: Bearer` with a relay ticket or the legacy shared token.
 * Refusals are 401 RequestRefused naming what to send.
 */
import type { IncomingMessage } from 'node:http';
import { RequestRefused } from '../errors';
import { bearerToken } from '../secrets';
import type { Access } from './access';

/** A Kommo user with the users file's extensions, or (shared token) nobody, any extension. */
export interface Caller {
  userId: string | null;
  own: readonly string[] | null;
}

const UNAUTHORIZED = 'send X-Auth-Token (Kommo\'s one-time token) or Authorization: Bearer <relay ticket or legacy token>';
const TICKET_EXPIRED = 'the ticket has expired: get a new one (POST <relay>/ticket)';

export async function identifyCaller(access: Access, req: IncomingMessage): Promise<Caller> {
  const kommoToken = req.headers['x-auth-token'];
  // Without Kommo settings there is nothing to check it against: the Authorization header decides.
  const identified = typeof kommoToken === 'string' ? access.identify(kommoToken) : null;
  if (identified !== null) {
    const checked = await identified;
    if (!checked.ok) throw new RequestRefused(401, 'unauthorized', checked.reason);
    return { userId: checked.userId, own: access.extensionsOf(checked.userId) };
  }
  const bearer = bearerToken(req);
  const checked = await access.authenticate(bearer === null ? null : { kind: 'bearer', value: bearer });
  if (!checked.ok) throw new RequestRefused(401, checked.code, checked.code === 'ticket_expired' ? TICKET_EXPIRED : UNAUTHORIZED);
  const { userId } = checked.grant;
  return { userId, own: userId === null ? null : access.extensionsOf(userId) };
}
