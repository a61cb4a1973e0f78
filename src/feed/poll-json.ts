/**
 * JSON-mode poll requests: `GET` with the Bearer ticket (or token), revalidated with ETag/If-None-Match
 * (304: nothing changed). Failures are classified here (src/core/fetch-failure.ts).
 */
import { classifyFetchFailure, parsePollBody, pollCredential } from './poll-shared';
import type { PollOutcome } from './poll-machine';
import { answerOutcome, pollRequestUrl, streamParams } from './poll-wire';
import type { PollRequests } from './poll-wire';

export interface JsonPollDeps {
  url: string;
  extensions: string[];
  fetch: typeof fetch;
  now(): number;
}

export function createJsonPolls(deps: JsonPollDeps): PollRequests {
  const request = { method: 'GET', url: deps.url };
  async function exchange(etag: string | null, url: string, bearer: string, signal: AbortSignal): Promise<PollOutcome> {
    const headers: Record<string, string> = { Authorization: `Bearer ${bearer}`, Accept: 'application/json' };
    if (etag !== null) headers['If-None-Match'] = etag;
    // `no-store`: we do our own revalidation; the browser cache must not answer 200 from memory.
    const response = await deps.fetch(url, { method: 'GET', headers, signal, cache: 'no-store' });
    if (response.status === 304) return { kind: 'not-modified' };
    if (response.status === 401) return { kind: 'unauthorized' };
    if (response.status === 403) return { kind: 'forbidden' };
    if (!response.ok) {
      const retryAfter = { header: response.headers.get('Retry-After'), now: deps.now() };
      return { kind: 'failed', error: classifyFetchFailure(request, { kind: 'status', status: response.status, retryAfter }) };
    }
    const text = await response.text();
    return answerOutcome(parsePollBody(text, deps.now()), response.headers.get('ETag'), deps.url);
  }

  return {
    send({ etag, since, credential }, done) {
      const controller = new AbortController();
      let cancelled = false;
      const url = pollRequestUrl(deps.url, { extensions: deps.extensions.join(','), ...streamParams(since) });
      exchange(etag, url, pollCredential(credential).bearer, controller.signal)
        .catch((cause: unknown): PollOutcome => ({ kind: 'failed', error: classifyFetchFailure(request, { kind: 'rejected', cause }) }))
        .then((outcome) => {
          if (!cancelled) done(outcome);
        });
      return {
        cancel() {
          cancelled = true;
          controller.abort();
        },
      };
    },
    dispose() {},
  };
}
