/**
 * The sandbox's stand-in for Kommo's one-time tokens: what Kommo's `$authorizedAjax` puts in
 * `X-Auth-Token` (a JWT, HS256, signed with the integration's secret key), here signed with the
 * sandbox integration's secret, which its relay is configured with. Served to the Kommo double
 * by `GET /sandbox/one-time-token?user_id=ID` (server.ts): the sandbox has no login, so it signs
 * for whichever sandbox user the page is; Kommo signs for the session's user.
 */
import { createSecretKey, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

export const SANDBOX_INTEGRATION = {
  /** Known to anyone who reads this file: the sandbox's relay is for this machine only. */
  secret: 'sandbox-integration-secret-not-for-production',
  clientUuid: '3a6f1e2c-5b7d-4e8f-9a0b-1c2d3e4f5a6b',
} as const;

/** Kommo's tokens are short-lived; the sandbox's live 10 minutes (the widget asks for one per ticket). */
export const ONE_TIME_TOKEN_TTL_S = 600;

export interface OneTimeTokenClaims {
  userId: number;
  accountId: number;
  /** The account's address (Kommo: https://<subdomain>.kommo.com; here the sandbox page's origin). */
  issuer: string;
  /** The integration's redirect_uri base (here the relay's origin). */
  audience: string;
}

export function signOneTimeToken(claims: OneTimeTokenClaims, nowMs: number = Date.now(), secret: string = SANDBOX_INTEGRATION.secret): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ account_id: claims.accountId, user_id: claims.userId, client_uuid: SANDBOX_INTEGRATION.clientUuid })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + ONE_TIME_TOKEN_TTL_S)
    .sign(createSecretKey(Buffer.from(secret, 'utf8')));
}
