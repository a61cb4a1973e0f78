/**
 * One request to Kommo's API (issue 16): through the limiter, with the integration's bearer
 * token, cut after `timeoutMs` (the answer's body included), and every failure classified here
 * as a KommoApiError (errors.ts). A 429 also pauses the limiter for everyone. The token is only
 * ever in the Authorization header: error details are masked against it all the same.
 */
import { KommoApiError, kindOfStatus, retryAfterMsOf, withoutSecret } from './errors';
import type { KommoFailureKind } from './errors';
import type { KommoLimiter } from './limiter';
import { problemText } from './answers';
import { readCappedText } from '../fetch-answer';

/** Far more than any answer the client asks for (a page of 50 contacts is tens of KB). */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export const USER_AGENT = 'kommo-telephony-relay/1 (call log)';

export interface KommoRequest {
  method: 'GET' | 'POST' | 'PATCH';
  /** Under the base URL: `/api/v4/...`. */
  path: string;
  /** Already encoded (`query=...&filter[...]=...`): Kommo's bracket names are kept readable. */
  query?: string;
  body?: unknown;
}

export interface KommoAnswer {
  status: number;
  /** Parsed JSON; null for an empty body (204). */
  body: unknown;
  /** The body as text (for a failure's detail when it is not JSON). */
  text: string;
  headers: Headers;
}

export interface KommoHttpOptions {
  baseUrl: URL;
  token: string;
  fetch: typeof fetch;
  timeoutMs: number;
  limiter: KommoLimiter;
  /** Wall-clock ms, for a Retry-After given as a date. */
  now: () => number;
  log: (message: string, context?: Record<string, unknown>) => void;
}

export interface KommoHttp {
  /**
   * The answer of a 2xx, or of a status in `keep` (the caller reads it: a 404 that means "gone",
   * a 400 that may mean "duplicate"); any other status, no answer, or a 2xx that is not JSON
   * throws a KommoApiError.
   */
  send(request: KommoRequest | (() => KommoRequest), keep?: readonly number[], lane?: 'first' | 'rest'): Promise<KommoAnswer>;
  /** The error a failure status throws (for a kept status the caller did not recognise). */
  failure(request: KommoRequest, answer: KommoAnswer): KommoApiError;
  /** An error of the request with the given kind and detail (an answer a reader refused). */
  error(request: KommoRequest, kind: KommoFailureKind, detail: string, status: number | null, cause?: unknown): KommoApiError;
}

/** Node's fetch hides the socket's error in `cause`: ECONNREFUSED, ECONNRESET, ENOTFOUND... */
function whyNoAnswer(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : String(error);
  return `Kommo could not be reached (${why})`;
}

export function createKommoHttp(o: KommoHttpOptions): KommoHttp {
  const headers = {
    Authorization: `Bearer ${o.token}`,
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'User-Agent': USER_AGENT,
  };
  const prefix = o.baseUrl.pathname.replace(/\/+$/, '');

  const error: KommoHttp['error'] = (request, kind, detail, status, cause) =>
    new KommoApiError({ kind, status, method: request.method, path: request.path, detail: withoutSecret(detail, o.token), cause });

  function failure(request: KommoRequest, answer: KommoAnswer): KommoApiError {
    const kind = kindOfStatus(answer.status) ?? 'transient';
    const said = problemText(answer.body, answer.text);
    const redirect = answer.status >= 300 && answer.status < 400 ? `a redirect (to ${answer.headers.get('location') ?? 'nowhere'}) is not followed: is the base URL the account's?` : '';
    const detail = [redirect, said].filter((part) => part !== '').join(' ') || `Kommo answered ${answer.status}`;
    if (kind !== 'rate-limited') return error(request, kind, detail, answer.status);
    const retryAfterMs = retryAfterMsOf(answer.headers.get('retry-after'), o.now());
    return new KommoApiError({ kind, status: answer.status, method: request.method, path: request.path, detail: withoutSecret(detail, o.token), retryAfterMs });
  }

  async function exchange(request: KommoRequest, signal: AbortSignal): Promise<KommoAnswer> {
    const url = `${o.baseUrl.origin}${prefix}${request.path}${request.query === undefined ? '' : `?${request.query}`}`;
    const init: RequestInit = { method: request.method, headers, signal, redirect: 'manual' };
    if (request.body !== undefined) init.body = JSON.stringify(request.body);
    const response = await o.fetch(url, init);
    const text = await readCappedText(response, MAX_ANSWER_BYTES);
    if (text === null) throw error(request, 'transient', `Kommo answered ${response.status} with more than ${MAX_ANSWER_BYTES} bytes`, response.status);
    let body: unknown = null;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch (cause) {
        // A 2xx that is not JSON is most likely cut short or a proxy's page, not Kommo's answer:
        // the write may or may not have landed, and trying again is safe (uniq, idempotent jobs).
        if (response.ok) throw error(request, 'transient', `Kommo answered ${response.status} with a body that is not JSON`, response.status, cause);
      }
    }
    return { status: response.status, body, text, headers: response.headers };
  }

  // A function is asked for the request once the limiter lets it go: a batch is cut then, with
  // whatever joined it while it waited (call-batcher.ts).
  async function send(made: KommoRequest | (() => KommoRequest), keep: readonly number[] = [], lane: 'first' | 'rest' = 'rest'): Promise<KommoAnswer> {
    await o.limiter.acquire(lane);
    const request = typeof made === 'function' ? made() : made;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, o.timeoutMs);
    let answer: KommoAnswer;
    try {
      answer = await exchange(request, controller.signal);
    } catch (cause) {
      if (cause instanceof KommoApiError) throw cause;
      if (timedOut) throw error(request, 'transient', `Kommo did not answer within ${o.timeoutMs} ms`, null, cause);
      throw error(request, 'transient', whyNoAnswer(cause), null, cause);
    } finally {
      clearTimeout(timer);
    }
    if (answer.status >= 200 && answer.status < 300) return answer;
    if (keep.includes(answer.status)) return answer;
    const failed = failure(request, answer);
    if (failed.kind === 'rate-limited') {
      o.limiter.pause(failed.retryAfterMs);
      o.log('kommo: 429, every request to Kommo waits', { path: request.path, retryAfterMs: failed.retryAfterMs ?? null });
    }
    throw failed;
  }

  return { send, failure, error };
}
