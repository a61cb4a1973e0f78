/**
 * findByNumber: normalise -> cache / shared in-flight request -> rate limiter -> by_phone -> parse.
 *
 * Never throws and never rejects: every failure becomes `{kind: 'failed', error}` with the
 * classified error, distinct from `not_found`, so the pop-up never offers "create contact" for a
 * caller who may well exist.
 *
 * Choices and defaults: caller-lookup-options.ts.
 */
import { HttpError, NetworkError, ProtocolError, TimeoutError, WidgetError } from '../core/errors';
import { classifyFetchFailure } from '../core/fetch-failure';
import { createOnceLogger } from '../core/logger';
import { byPhoneUrl, requestByPhone } from './by-phone-request';
import { normalizeNumber } from './normalize';
import { parseByPhoneBody } from './parse-response';
import { createRateLimiter } from './rate-limiter';
import { createResultCache } from './result-cache';
import { LOOKUP_DEFAULTS } from './caller-lookup-options';
import type { CallerLookupDeps } from './caller-lookup-options';
import { createCallerStore } from './caller-store';
import { rememberedLoads } from './remembered';
import type { Outcome } from './remembered';
import type { CallerLookup, LookupResult, NormalizedNumber } from './types';

export type { CallerLookupDeps } from './caller-lookup-options';

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

  const normalize = (raw: string) => {
    const normalized = normalizeNumber(raw, deps.country);
    if (normalized.kind === 'invalid') logger.debug('caller ID: not a phone number, no lookup', { raw: String(raw).slice(0, 64) });
    return normalized;
  };

  return {
    peek(raw) {
      if (disposed) return undefined;
      try {
        const normalized = normalize(raw);
        if (normalized.kind !== 'number') return normalized;
        const { number } = normalized;
        let outcome = cache.peek(number.e164);
        if (outcome === undefined && remembered) {
          // Kept in memory as findByNumber's cache.get would keep it (a stale one is refreshed later).
          outcome = remembered.peek(number);
          if (outcome !== undefined) cache.set(number.e164, outcome);
        }
        return outcome && withNumber(outcome, number);
      } catch (error) {
        // Only a bug gets here; findByNumber then answers.
        logger.warn('caller ID: peek failed', { error: String(error) });
        return undefined;
      }
    },
    async findByNumber(raw) {
      const normalized = normalize(raw);
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
