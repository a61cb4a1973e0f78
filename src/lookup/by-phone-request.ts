/**
 * One `GET /api/v2/search/by_phone` on the page's own origin with the user's session
 * (https://developers.kommo.com/docs/caller-id). The number goes as digits only, the way the
 * page's own snippet sends it (`parseInt(number)`): a raw `+` in a query string would arrive as a
 * space. It goes as `phone` (the caller-ID page) and as `query` (a later revision of the docs).
 *
 * Every failure is classified here and thrown as one of the core errors; the caller turns them
 * into `failed` results. The timeout (an AbortController fired by the injected clock) covers the
 * whole exchange, headers and body. A body over `maxBodyBytes` (caller-lookup.ts: 256 KB) is a
 * ProtocolError: a Content-Length over it is refused unread, and the body stream is read only up
 * to it, so a runaway or hostile answer costs the page neither memory nor a long JSON.parse.
 */
import type { Clock } from '../core/clock';
import { ProtocolError } from '../core/errors';
import { classifyFetchFailure } from '../core/fetch-failure';

export type ByPhoneAnswer =
  /** 2xx with a JSON body. */
  | { kind: 'body'; body: unknown }
  /** 204, or 2xx with an empty body: nobody has this number. */
  | { kind: 'empty' };

export interface ByPhoneRequestDeps {
  fetch: typeof fetch;
  clock: Clock;
  /** '' for same-origin relative URLs. */
  origin: string;
  timeoutMs: number;
  maxBodyBytes: number;
}

export function byPhoneUrl(origin: string, digits: string): string {
  const q = encodeURIComponent(digits);
  return `${origin}/api/v2/search/by_phone?phone=${q}&query=${q}`;
}

/**
 * Resolves with the answer, or rejects with HttpError / TimeoutError / NetworkError / ProtocolError.
 * `controller` lets the owner cancel (dispose); its abort is reported as a NetworkError.
 */
export async function requestByPhone(
  deps: ByPhoneRequestDeps,
  digits: string,
  controller: AbortController,
): Promise<ByPhoneAnswer> {
  const url = byPhoneUrl(deps.origin, digits);
  const request = { method: 'GET', url };
  let timedOut = false;
  const timer = deps.clock.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, deps.timeoutMs);

  const classify = (cause: unknown): Error =>
    classifyFetchFailure(request, timedOut ? { kind: 'timeout', ms: deps.timeoutMs, cause } : { kind: 'rejected', cause });

  try {
    let response: Response;
    try {
      response = await deps.fetch(url, {
        method: 'GET',
        credentials: 'include',
        signal: controller.signal,
        // Kommo's own widgets call the API through jQuery, which sends X-Requested-With; the
        // backend answers such requests with JSON rather than a login redirect.
        headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
      });
    } catch (cause) {
      throw classify(cause);
    }

    if (response.status === 204) {
      await discard(response);
      return { kind: 'empty' };
    }
    if (response.status < 200 || response.status > 299) {
      await discard(response);
      throw classifyFetchFailure(request, { kind: 'status', status: response.status, retryAfter: { header: response.headers.get('retry-after'), now: deps.clock.now() } });
    }

    let body: BoundedBody;
    try {
      body = await readBounded(response, deps.maxBodyBytes);
    } catch (cause) {
      throw classify(cause);
    }
    if (body.kind === 'too_large') {
      throw new ProtocolError(`by_phone answered ${body.bytes} bytes or more, over the ${deps.maxBodyBytes}-byte limit`, { url, status: response.status, bytes: body.bytes, limit: deps.maxBodyBytes });
    }
    const { text } = body;
    if (text.trim() === '') return { kind: 'empty' };
    try {
      return { kind: 'body', body: JSON.parse(text) as unknown };
    } catch (cause) {
      throw new ProtocolError('by_phone answered something that is not JSON', { url, status: response.status, body: text.slice(0, 200) }, { cause });
    }
  } finally {
    deps.clock.clearTimeout(timer);
  }
}

type BoundedBody = { kind: 'text'; text: string } | { kind: 'too_large'; bytes: number };

/** The body as text, or `too_large` as soon as it is known to exceed `maxBytes` (nothing more is read). */
async function readBounded(response: Response, maxBytes: number): Promise<BoundedBody> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await discard(response);
    return { kind: 'too_large', bytes: declared };
  }
  // A declared length within the limit is the length: the browser fails a body that runs past
  // it, so text() is as bounded as the stream, and one hop rather than a read() per chunk (issue 18).
  const reader = declared >= 0 ? undefined : response.body?.getReader();
  if (!reader) {
    // No stream to stop early (old engines): the text's length, UTF-16 units, stands in for bytes.
    const text = await response.text();
    return text.length > maxBytes ? { kind: 'too_large', bytes: text.length } : { kind: 'text', text };
  }
  const decoder = new TextDecoder();
  let bytes = 0;
  let text = '';
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) return { kind: 'text', text: text + decoder.decode() };
    bytes += chunk.value.byteLength;
    if (bytes > maxBytes) {
      reader.cancel().catch(() => {});
      return { kind: 'too_large', bytes };
    }
    text += decoder.decode(chunk.value, { stream: true });
  }
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Nothing to free.
  }
}
