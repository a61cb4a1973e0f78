/**
 * What createCallerLookup (caller-lookup.ts) is given, and its defaults.
 *
 * Choices:
 * - No retries. A pop-up lookup has a 1.5 s budget, less than a useful backoff plus a second
 *   request. A 429 instead pauses the shared limiter until its Retry-After (1 s when absent,
 *   capped at 5 min against a bogus header), so the lookups after it wait rather than add to the
 *   overload; a lookup whose queue budget (`maxQueueMs`, 5 s) the pause outlasts fails at once
 *   with that 429.
 * - Found and not-found results are cached for `cacheTtlMs` (60 s) per normalised number: a
 *   caller rings several extensions and tabs at once. Failures are not cached by default
 *   (`failedTtlMs` 0): concurrent lookups already share the one request, a 429 is held off by the
 *   limiter, and a cached timeout would deny the pop-up to a caller who redials a second later.
 * - With `remembered` (a localStorage scope, src/platform/caller-storage.ts), found callers are
 *   also remembered across page loads and tabs, 7 days at most: such a number answers at once and
 *   is refreshed in the background (remembered.ts, stored-callers.ts).
 * - An answer over `maxBodyBytes` (256 KB) is a failed lookup (a ProtocolError, logged), read no
 *   further than that. Kommo's answer is one item, well under 2 KB; 256 KB is over a hundred times
 *   that, yet parses in milliseconds on a slow laptop, inside the ringing phone's budget.
 * - Names are shown at most `NAME_MAX_CHARS` (120) characters long, ending in "…", with no
 *   bidirectional control characters (display-name.ts, applied by parse-response.ts).
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { CallerScope } from './caller-keys';

export interface CallerLookupDeps {
  /** Called with same-origin URLs and `credentials: 'include'` (the user's session). */
  fetch: typeof fetch;
  clock: Clock;
  logger: Logger;
  /** '' (relative URLs) by default; tests pass http://127.0.0.1:PORT. */
  origin?: string;
  /** Default region for numbers without a country code (ISO alpha-2). */
  country?: string;
  /** The whole HTTP exchange, from the moment the limiter lets it go. */
  timeoutMs?: number;
  cacheTtlMs?: number;
  /** Kommo's limit: 7 requests per second per account. */
  maxPerSecond?: number;
  /** Longest wait for a limiter slot before the lookup fails (5000). */
  maxQueueMs?: number;
  /** How long a failure is cached (0: not at all). */
  failedTtlMs?: number;
  /** Longest by_phone body accepted (256 KB); a longer one is a failed lookup. */
  maxBodyBytes?: number;
  /** This user's callers remembered across page loads (caller-keys.ts); absent: the in-memory cache only. */
  remembered?: CallerScope;
  /** How long after a pop-up from a remembered caller by_phone refreshes it (2000). */
  refreshDelayMs?: number;
  /** "Lead #ID" / "Customer #ID" in the user's language. */
  unnamed(type: 'lead' | 'customer', id: number): string;
}

export const LOOKUP_DEFAULTS = {
  timeoutMs: 1500,
  cacheTtlMs: 60_000,
  maxPerSecond: 7,
  maxQueueMs: 5000,
  failedTtlMs: 0,
  maxBodyBytes: 256 * 1024,
  /** Without Retry-After a 429 holds the limiter for one window (the header itself is capped at 5 min). */
  retryAfterDefaultMs: 1000,
  refreshDelayMs: 2000,
} as const;
