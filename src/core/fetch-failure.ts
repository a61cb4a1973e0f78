/**
 * The one classification of a failed HTTP exchange (fetch, or a script load that stands in for
 * one) into the error classes of ./errors: every caller turns its failures into these the same way.
 */
import { HttpError, NetworkError, TimeoutError } from './errors';
import { parseRetryAfter } from './retry-after';

export interface FetchRequest {
  /** `GET`, `POST`, or `SCRIPT` for a <script> load. */
  method: string;
  url: string;
}

export type FetchFailure =
  /** fetch() or reading the body rejected (offline, DNS, CORS, reset, or our own abort). */
  | { kind: 'rejected'; cause?: unknown }
  /** Our own timer gave up after `ms` (and aborted the request). */
  | { kind: 'timeout'; ms: number; cause?: unknown }
  /** An answer whose status the caller cannot use; `retryAfter` for a caller that waits as asked. */
  | { kind: 'status'; status: number; retryAfter?: { header: string | null; now: number } };

export function classifyFetchFailure(request: FetchRequest, failure: FetchFailure): HttpError | NetworkError | TimeoutError {
  const { method, url } = request;
  switch (failure.kind) {
    case 'status':
      return new HttpError(failure.status, method, url, failure.retryAfter && parseRetryAfter(failure.retryAfter.header, failure.retryAfter.now));
    case 'timeout':
      return new TimeoutError(method, url, failure.ms, withCause(failure.cause));
    case 'rejected':
      return new NetworkError(method, url, withCause(failure.cause));
  }
}

const withCause = (cause: unknown): { cause: unknown } | undefined => (cause === undefined ? undefined : { cause });
