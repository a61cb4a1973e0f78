/**
 * What the call log's worker does with a job that threw (issue 16): try it again later (Kommo
 * down, rate-limiting, a revoked token the admin will replace) or keep it aside with its reason
 * (a write Kommo refuses, a bug). A bug must not spin: anything the relay did not classify is
 * kept aside, never retried.
 */
import { StoreWriteFailed } from '../errors';
import { KommoApiError } from '../kommo/errors';

export type CallLogErrorVerdict =
  /** `afterMs`: this job not before then; `pauseAllMs`: no job to Kommo before then. */
  | { retry: true; afterMs?: number; pauseAllMs?: number; reason: string }
  | { retry: false; reason: string };

/** Without a Retry-After, a 429 pauses the whole queue this long. */
export const RATE_LIMIT_PAUSE_MS = 1_000;
/** A revoked token fails every request: the queue waits for the admin, asking Kommo once a minute. */
export const UNAUTHORIZED_PAUSE_MS = 60_000;

export function classifyCallLogError(error: unknown): CallLogErrorVerdict {
  if (error instanceof KommoApiError) return classifyKommo(error);
  // The task or contact landed but the relay's store did not keep it: the retry finds it again.
  if (error instanceof StoreWriteFailed) return { retry: true, reason: error.message };
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { retry: false, reason: `internal: ${text}` };
}

function classifyKommo(error: KommoApiError): CallLogErrorVerdict {
  const status = error.status === null ? 'no answer' : String(error.status);
  const detail = error.detail === '' ? '' : `: ${error.detail}`;
  switch (error.kind) {
    case 'transient': {
      const verdict: CallLogErrorVerdict = { retry: true, reason: `Kommo ${error.path} did not answer usably (${status})${detail}` };
      if (error.retryAfterMs !== undefined) verdict.afterMs = error.retryAfterMs;
      return verdict;
    }
    case 'rate-limited': {
      const pause = error.retryAfterMs ?? RATE_LIMIT_PAUSE_MS;
      return { retry: true, afterMs: pause, pauseAllMs: pause, reason: `Kommo is rate-limiting (429): paused ${pause} ms` };
    }
    case 'unauthorized':
      return { retry: true, pauseAllMs: UNAUTHORIZED_PAUSE_MS, reason: 'Kommo refused the API token (401): revoked or wrong; set a new one' };
    case 'refused':
      return { retry: false, reason: `Kommo refused ${error.method} ${error.path} (${status})${detail}` };
  }
}
