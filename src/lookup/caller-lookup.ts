/**
 * findByNumber: normalise -> cache / shared in-flight request -> rate limiter -> by_phone -> parse.
 *
 * Never throws and never rejects: every failure becomes `{kind: 'failed', error}` with the
 * classified error, distinct from `not_found`, so the pop-up never offers "create contact" for a
 * caller who may well exist.
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
import { HttpError, NetworkError, ProtocolError, TimeoutError, WidgetError } from '../core/errors';
import { classifyFetchFailure } from '../core/fetch-failure';
import { createOnceLogger } from '../core/logger';
import type { Logger } from '../core/logger';
import { byPhoneUrl, requestByPhone } from './by-phone-request';
import { normalizeNumber } from './normalize';
import { parseByPhoneBody } from './parse-response';
import { createRateLimiter } from './rate-limiter';
import { createResultCache } from './result-cache';
import type { CallerScope } from './caller-keys';
import { createCallerStore } from './caller-store';
import { rememberedLoads } from './remembered';
import type { Outcome } from './remembered';
import type { CallerLookup, LookupResult, NormalizedNumber } from './types';

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

const LOOKUP_DEFAULTS = {
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

export function createCallerLookup(deps: CallerLookupDeps): CallerLookup {
  const { clock, logger } = deps;
  const origin = (deps.origin ?? '').replace(/\/+$/, '');
  const timeoutMs = deps.timeoutMs ?? LOOKUP_DEFAULTS.timeoutMs;
  const maxQueueMs = deps.maxQueueMs ?? LOOKUP_DEFAULTS.maxQueueMs;
  const cacheTtlMs = deps.cacheTtlMs ?? LOOKUP_DEFAULTS.cacheTtlMs;
  const failedTtlMs = deps.failedTtlMs ?? LOOKUP_DEFAULTS.failedTtlMs;
  const maxBodyBytes = deps.maxBodyBytes ?? LOOKUP_DEFAULTS.maxBodyBytes;
  const limiter = createRateLimiter({ clock, maxPerWindow: deps.maxPerSecond ?? LOOKUP_DEFAULTS.maxPerSecond });
  const cache = createResultCache<Outcome>({ clock, ttlFor: (o) => (o.kind === 'failed' ? failedTtlMs : cacheTtlMs) });
  const warnOnce = createOnceLogger(logger);
  /** One controller per request in flight, so dispose() can cancel them all. */
  const inFlight = new Set<AbortController>();
  let disposed = false;

  /** The i18n callback comes from the host: a throwing or empty one must not cost the pop-up. */
  const unnamed = (type: 'lead' | 'customer', id: number): string => {
    try {
      const text = deps.unnamed(type, id);
      if (typeof text === 'string' && text.trim() !== '') return text;
    } catch (error) {
      warnOnce('unnamed', 'caller ID: the unnamed-entity text failed; using #ID', { error: String(error) });
    }
    return `#${id}`;
  };

  const report = (error: WidgetError, number: NormalizedNumber): void => {
    const context = { number: number.e164, ...error.context };
    if (error instanceof HttpError && (error.status === 401 || error.status === 403)) {
      warnOnce(`http:${error.status}`, `caller ID: by_phone answered ${error.status}: this user may not search by phone; pop-ups show numbers only`, context);
    } else if (error instanceof ProtocolError) {
      warnOnce('protocol', `caller ID: ${error.message}`, context);
    } else {
      logger.warn(`caller ID: ${error.message}`, context);
    }
  };

  const load = async (number: NormalizedNumber): Promise<Outcome> => {
    const url = byPhoneUrl(origin, number.digits);
    const slot = await limiter.acquire(maxQueueMs);
    if (slot.kind === 'disposed' || disposed) {
      if (slot.kind === 'granted') slot.release();
      return { kind: 'failed', error: new NetworkError('GET', url, { cause: 'lookup disposed' }) };
    }
    if (slot.kind === 'expired') {
      const error =
        slot.pausedUntil !== undefined
          ? new HttpError(429, 'GET', url, Math.max(0, slot.pausedUntil - clock.now()), { cause: 'held by the rate limiter after a 429' })
          : new TimeoutError('GET', url, maxQueueMs, { cause: 'no rate-limit slot in time' });
      report(error, number);
      return { kind: 'failed', error };
    }

    let outcome: Outcome;
    const controller = new AbortController();
    inFlight.add(controller);
    try {
      const answer = await requestByPhone({ fetch: deps.fetch, clock, origin, timeoutMs, maxBodyBytes }, number.digits, controller);
      if (answer.kind === 'empty') return { kind: 'not_found' };
      const parsed = parseByPhoneBody(answer.body, { unnamed, fallback: number.international });
      outcome = parsed.kind === 'error' ? { kind: 'failed', error: parsed.error } : parsed;
    } catch (cause) {
      outcome = { kind: 'failed', error: asWidgetError(cause, url) };
    } finally {
      inFlight.delete(controller);
      slot.release();
    }
    if (outcome.kind === 'failed') {
      const { error } = outcome;
      if (error instanceof HttpError && error.status === 429) {
        limiter.pauseUntil(clock.now() + (error.retryAfterMs ?? LOOKUP_DEFAULTS.retryAfterDefaultMs));
      }
      report(error, number);
    }
    return outcome;
  };
  const store = deps.remembered && createCallerStore({ scope: deps.remembered, clock, logger });
  const refreshDelayMs = deps.refreshDelayMs ?? LOOKUP_DEFAULTS.refreshDelayMs;
  const remembered = store && rememberedLoads({ store, clock, refreshDelayMs, ask: load, refreshed: (n, outcome) => cache.set(n.e164, outcome) });

  const withNumber = (outcome: Outcome, number: NormalizedNumber): LookupResult => {
    switch (outcome.kind) {
      case 'found':
        return outcome.phoneEntity
          ? { kind: 'found', number, entity: outcome.entity, phoneEntity: outcome.phoneEntity }
          : { kind: 'found', number, entity: outcome.entity };
      case 'not_found':
        return { kind: 'not_found', number };
      case 'failed':
        return { kind: 'failed', number, error: outcome.error };
    }
  };

  return {
    async findByNumber(raw) {
      const normalized = normalizeNumber(raw, deps.country);
      if (normalized.kind === 'invalid') logger.debug('caller ID: not a phone number, no lookup', { raw: String(raw).slice(0, 64) });
      if (normalized.kind !== 'number') return normalized;
      const { number } = normalized;
      try {
        if (disposed) throw new NetworkError('GET', byPhoneUrl(origin, number.digits), { cause: 'lookup disposed' });
        return withNumber(await cache.get(number.e164, () => (remembered ? remembered.load(number) : load(number))), number);
      } catch (cause) {
        // Only a bug gets here; the page still gets a result.
        return { kind: 'failed', number, error: asWidgetError(cause, byPhoneUrl(origin, number.digits)) };
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const controller of inFlight) controller.abort();
      inFlight.clear();
      limiter.dispose();
      remembered?.dispose();
      cache.clear();
    },
  };
}

function asWidgetError(cause: unknown, url: string): WidgetError {
  return cause instanceof WidgetError ? cause : classifyFetchFailure({ method: 'GET', url }, { kind: 'rejected', cause });
}
