/**
 * What `GET /health` tells whom. Anyone (a load balancer, a monitor) learns that the relay serves
 * requests; the figures (calls, sockets, the stream position) tell an outsider how busy the
 * account is and when to strike, so they need the PBX token (`Authorization: Bearer`).
 */
import type { IncomingMessage } from 'node:http';
import { RequestRefused } from '../errors';
import { bearerToken, sameSecret } from '../secrets';

export function healthAnswer(req: IncomingMessage, pbxToken: string, figures: () => Record<string, unknown>): Record<string, unknown> {
  if (req.headers.authorization === undefined) return { status: 'ok' };
  const token = bearerToken(req);
  if (token === null || !sameSecret(token, pbxToken)) {
    throw new RequestRefused(401, 'unauthorized', 'the figures need Authorization: Bearer <pbx token>; without the header /health answers {"status":"ok"}');
  }
  return { status: 'ok', ...figures() };
}
