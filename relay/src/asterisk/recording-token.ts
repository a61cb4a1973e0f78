/**
 * The relay's signed recording links: `<token> = base64url(payload) "." base64url(HMAC-SHA256)`,
 * payload `{"p": "<path relative to the recordings dir>", "e": <expiry, ms since epoch>}`. The
 * MAC covers the encoded payload as sent, so nothing is re-serialised before it is checked. The
 * key is derived from the relay's secret for this use alone, so a MAC made here is worth
 * nothing to any other use of the same secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Shorter secrets are guessable offline from one link. */
export const MIN_SECRET_LENGTH = 16;
/** A token longer than this was not made here (paths are at most 1024 characters). */
const MAX_TOKEN_LENGTH = 2048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export type TokenCheck =
  | { ok: true; path: string; expires: number }
  /** `bad_token`: malformed or a wrong MAC (tampered, another relay's); `link_expired`: genuine but past its expiry. */
  | { ok: false; error: 'bad_token' | 'link_expired' };

export interface TokenKey {
  sign(path: string, expires: number): string;
  verify(token: string, now: number): TokenCheck;
}

export function checkSecret(secret: unknown): string {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`the recording link secret must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`);
  }
  return secret;
}

export function createTokenKey(secret: string): TokenKey {
  const key = createHmac('sha256', checkSecret(secret)).update('kommo-relay recording link v1').digest();
  const mac = (encoded: string) => createHmac('sha256', key).update(encoded).digest();
  return {
    sign(path, expires) {
      const encoded = Buffer.from(JSON.stringify({ p: path, e: expires }), 'utf8').toString('base64url');
      return `${encoded}.${mac(encoded).toString('base64url')}`;
    },
    verify(token, now) {
      if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { ok: false, error: 'bad_token' };
      const [encoded, signature, extra] = token.split('.');
      if (encoded === undefined || signature === undefined || extra !== undefined || !BASE64URL.test(encoded) || !BASE64URL.test(signature)) return { ok: false, error: 'bad_token' };
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(encoded);
      // The length is public (always 32): only equal-length buffers are compared, in constant time.
      // Only the canonical spelling counts (base64url's last character has spare bits).
      if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString('base64url') !== signature) return { ok: false, error: 'bad_token' };
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
      } catch {
        return { ok: false, error: 'bad_token' };
      }
      const { p, e } = (payload ?? {}) as { p?: unknown; e?: unknown };
      if (typeof p !== 'string' || typeof e !== 'number' || !Number.isSafeInteger(e)) return { ok: false, error: 'bad_token' };
      if (now >= e) return { ok: false, error: 'link_expired' };
      return { ok: true, path: p, expires: e };
    },
  };
}
