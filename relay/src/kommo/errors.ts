/**
 * The one error of the Kommo client (issue 16), classified where the failure happens so the
 * call log's worker only reads `kind`:
 * - transient: no answer (network, timeout), a 5xx, a 408, or a 2xx the client cannot read;
 *   the write is tried again later.
 * - rate-limited: 429; `retryAfterMs` is Kommo's Retry-After when it sent one.
 * - unauthorized: 401, the integration's token was revoked or is wrong; the admin must act.
 * - refused: any other 4xx (400, 403, 404, 422...), a redirect, or a request the client would
 *   not send; retrying the same request cannot help.
 * `detail` is short (Kommo's title/detail, DETAIL_MAX characters) and never holds the token.
 */

export type KommoFailureKind = 'transient' | 'rate-limited' | 'unauthorized' | 'refused';

/** More than any Kommo title + detail; a longer one (an HTML error page) is cut. */
export const DETAIL_MAX = 300;

export interface KommoFailure {
  kind: KommoFailureKind;
  /** The HTTP status; null when no answer came (network, timeout) or nothing was sent. */
  status: number | null;
  method: string;
  /** The request's path, without its query (the query holds a caller's number). */
  path: string;
  detail: string;
  retryAfterMs?: number;
  cause?: unknown;
}

export class KommoApiError extends Error {
  readonly kind: KommoFailureKind;
  readonly status: number | null;
  readonly method: string;
  readonly path: string;
  readonly detail: string;
  readonly retryAfterMs?: number;

  constructor(failure: KommoFailure) {
    const detail = shortDetail(failure.detail);
    const status = failure.status === null ? 'no answer' : String(failure.status);
    super(`Kommo ${failure.method} ${failure.path}: ${failure.kind} (${status})${detail === '' ? '' : `: ${detail}`}`, failure.cause === undefined ? undefined : { cause: failure.cause });
    this.name = 'KommoApiError';
    this.kind = failure.kind;
    this.status = failure.status;
    this.method = failure.method;
    this.path = failure.path;
    this.detail = detail;
    if (failure.retryAfterMs !== undefined) this.retryAfterMs = failure.retryAfterMs;
  }
}

/** One line, at most DETAIL_MAX characters. */
export function shortDetail(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= DETAIL_MAX ? line : `${line.slice(0, DETAIL_MAX - 1)}…`;
}

/** What an HTTP status means; null for a 2xx (the answer is read). */
export function kindOfStatus(status: number): KommoFailureKind | null {
  if (status >= 200 && status < 300) return null;
  if (status === 429) return 'rate-limited';
  if (status === 401) return 'unauthorized';
  // 408 is a timeout on Kommo's side: the same request may well pass later.
  if (status >= 500 || status === 408) return 'transient';
  return 'refused';
}

/**
 * Retry-After in ms from `now`: delay-seconds or an HTTP date (RFC 9110 10.2.3). Absent or
 * unreadable: undefined. A date in the past is 0.
 */
export function retryAfterMsOf(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) {
    const seconds = Number(value);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // Only a date-looking value: Date.parse reads "5 s" or "1.5" as dates in some engines.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `text` with every occurrence of `secret` masked (Kommo could echo a header; a cause could carry it). */
export function withoutSecret(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('[token]');
}
