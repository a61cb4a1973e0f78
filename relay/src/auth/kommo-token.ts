/**
 * Kommo's one-time tokens (`X-Auth-Token`, sent by the widget's `this.$authorizedAjax`): a JWT,
 * HS256, signed with the integration's secret key. Verified with jose: HS256 only, the
 * signature, `exp` (required) and `nbf` with a clock tolerance, then `account_id` and `user_id`.
 * Each failure is one of the reasons the ticket route answers.
 */
import { createSecretKey } from 'node:crypto';
import { errors, jwtVerify } from 'jose';

export type KommoTokenReason = 'missing' | 'malformed' | 'bad_signature' | 'expired' | 'not_yet_valid' | 'wrong_account';
export type KommoTokenCheck = { ok: true; userId: string } | { ok: false; reason: KommoTokenReason };

export interface KommoTokenRules {
  secret: string;
  accountId: number;
  skewS: number;
  now: () => number;
}

/** jose's errors, in the reasons the contract names; anything unreadable is `malformed`. */
function reasonOf(error: unknown): KommoTokenReason {
  // An algorithm other than HS256 (`none`, RS256...) is not signed with the integration's key.
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf' && error.reason === 'check_failed') return 'not_yet_valid';
  return 'malformed';
}

/** `user_id` as the users file names it: a non-negative integer or a short string without spaces. */
function userIdOf(value: unknown): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  if (typeof value === 'string') return /^\S{1,64}$/.test(value) ? value : null;
  return null;
}

export function createKommoTokenCheck(rules: KommoTokenRules): (token: string | null) => Promise<KommoTokenCheck> {
  const key = createSecretKey(Buffer.from(rules.secret, 'utf8'));
  return async (token) => {
    if (token === null || token.trim() === '') return { ok: false, reason: 'missing' };
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token.trim(), key, {
        algorithms: ['HS256'],
        clockTolerance: rules.skewS,
        requiredClaims: ['exp'],
        currentDate: new Date(rules.now()),
      }));
    } catch (error) {
      return { ok: false, reason: reasonOf(error) };
    }
    const account = payload.account_id;
    if (account !== rules.accountId && account !== String(rules.accountId)) return { ok: false, reason: 'wrong_account' };
    const userId = userIdOf(payload.user_id);
    return userId === null ? { ok: false, reason: 'malformed' } : { ok: true, userId };
  };
}
