/**
 * Why a lookup failed, in the terms the manager reads in the pop-up: a CRM that was only slow
 * is not one that refused. A `failed` result carries the classified error (core/errors.ts); this
 * names its kind (pure), so the pop-up can say "the CRM is slow" rather than "could not look up".
 */
import { HttpError, TimeoutError } from '../core/errors';
import type { WidgetError } from '../core/errors';

export type LookupFailure =
  /** No answer in time: the lookup's timeout, no rate-limit slot in time, a gateway's 408/504. */
  | 'slow'
  /** 429: Kommo's 7 requests per second are used up (or the limiter still holds after one). */
  | 'busy'
  /** 401/403: this user may not search by phone (rights, or a session that ended). */
  | 'forbidden'
  /** Anything else: a 5xx, no connection, an answer that is not Kommo's. */
  | 'error';

const SLOW_STATUSES = new Set([408, 504]);

export function lookupFailure(error: WidgetError): LookupFailure {
  if (error instanceof TimeoutError) return 'slow';
  if (!(error instanceof HttpError)) return 'error';
  if (SLOW_STATUSES.has(error.status)) return 'slow';
  if (error.status === 429) return 'busy';
  return error.status === 401 || error.status === 403 ? 'forbidden' : 'error';
}
