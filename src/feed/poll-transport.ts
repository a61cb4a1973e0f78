/**
 * The polling transport (protocol: "Polling"), JSON or script mode. Owns one timer and at most
 * one request in flight. JSON mode revalidates with ETag/If-None-Match (304: nothing changed);
 * script mode installs a uniquely named callback per request and removes it and its <script>
 * after the answer. Errors back off (interval doubled per error, up to 30 s); a request that
 * stalls is given up after 10 s. While the tab is hidden it polls at a quarter of the rate,
 * unless this tab serves the other tabs.
 */
import type { Clock, TimerHandle } from '../core/clock';
import { HttpError, NetworkError, ProtocolError, TimeoutError } from '../core/errors';
import type { WidgetError } from '../core/errors';
import { createEmitter } from '../core/emitter';
import type { Logger } from '../core/logger';
import { pollErrorDelay } from './backoff';
import { parsePollBody, parsePollPayload } from '../protocol/frames';
import type { Dropped, PollAnswer } from '../protocol/frames';
import type { CallTransport, FeedStatus, TransportEvents } from './types';

export const POLL_TIMING = {
  requestTimeoutMs: 10_000,
  errorCapMs: 30_000,
  /** Hidden tabs poll this many times less often. */
  hiddenSlowdown: 4,
} as const;

/** Loads a script URL (adds a <script> tag in the browser); `onError` when it fails to load. */
export type ScriptLoader = (url: string, onError?: () => void) => { remove(): void };

export interface PollTransportDeps {
  url: string;
  mode: 'json' | 'script';
  intervalMs: number;
  token: string;
  extensions: string[];
  clock: Clock;
  logger: Logger;
  fetch: typeof fetch;
  loadScript?: ScriptLoader;
  callbacks?: Record<string, unknown>;
  isVisible(): boolean;
  onVisibilityChange(handler: () => void): () => void;
  servingOthers?: () => boolean;
  random: () => number;
  onDrop(dropped: Dropped): void;
}

type Outcome = { kind: 'answer'; answer: PollAnswer } | { kind: 'not-modified' } | { kind: 'error'; error: WidgetError };

/** A request in flight; `cancel` stops it without a callback (stop(), or a timeout already handled). */
interface InFlight {
  cancel(): void;
}

/** `?extensions=101,102` (and more) appended to a URL that may already carry a query. */
export function pollRequestUrl(base: string, params: Record<string, string>): string {
  const query = Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%2C/g, ',')}`)
    .join('&');
  const hashAt = base.indexOf('#');
  const clean = hashAt >= 0 ? base.slice(0, hashAt) : base;
  return `${clean}${clean.includes('?') ? '&' : '?'}${query}`;
}

let callbackSeq = 0;

export function createPollTransport(deps: PollTransportDeps): CallTransport {
  const emitter = createEmitter<TransportEvents>();
  let status: FeedStatus = { status: 'idle' };
  let running: 'idle' | 'running' | 'closed' = 'idle';
  let timer: TimerHandle | null = null;
  let inFlight: InFlight | null = null;
  let inFlightSince = 0;
  let errors = 0;
  let etag: string | null = null;
  /** When the next poll is due (for speeding up when the tab becomes visible). */
  let dueAt = 0;
  /** Script-mode callback names whose answer never came: kept as no-ops so a late script cannot throw. */
  const staleCallbacks: string[] = [];
  let unsubscribeVisibility: (() => void) | null = null;

  /** Visible again: a poll slowed down for a hidden tab is brought forward to one interval. */
  function onVisibility(): void {
    if (running !== 'running' || inFlight !== null || timer === null || !deps.isVisible()) return;
    if (status.status === 'backoff') return;
    const wait = dueAt - deps.clock.now();
    if (wait <= deps.intervalMs) return;
    const waited = deps.intervalMs * POLL_TIMING.hiddenSlowdown - wait;
    if (waited >= deps.intervalMs) poll();
    else scheduleIn(deps.intervalMs - waited);
  }

  function setStatus(next: FeedStatus): void {
    status = next;
    emitter.emit('status', next);
  }

  function clearTimer(): void {
    if (timer !== null) deps.clock.clearTimeout(timer);
    timer = null;
  }

  function normalDelay(): number {
    const slow = !deps.isVisible() && !(deps.servingOthers?.() ?? false);
    return slow ? deps.intervalMs * POLL_TIMING.hiddenSlowdown : deps.intervalMs;
  }

  function scheduleIn(ms: number): void {
    clearTimer();
    dueAt = deps.clock.now() + ms;
    timer = deps.clock.setTimeout(() => {
      timer = null;
      poll();
    }, ms);
  }

  function finish(outcome: Outcome): void {
    inFlight = null;
    if (running !== 'running') return;
    if (outcome.kind === 'error' || (outcome.kind === 'answer' && !outcome.answer.ok)) {
      if (outcome.kind === 'answer' && !outcome.answer.ok && outcome.answer.unauthorized) {
        running = 'closed';
        deps.logger.warn('feed: the poll URL refused the token; no more polling until the settings change', { url: deps.url });
        setStatus({ status: 'closed', reason: 'unauthorized' });
        return;
      }
      const error =
        outcome.kind === 'error' ? outcome.error : new ProtocolError(`feed: bad poll answer (${(outcome.answer as { kind: string }).kind})`, { url: deps.url });
      if (outcome.kind === 'answer' && !outcome.answer.ok) deps.onDrop({ kind: outcome.answer.kind });
      errors += 1;
      // A server that says when to come back (429/503 Retry-After) is obeyed, within the 30 s cap.
      const asked = error instanceof HttpError ? (error.retryAfterMs ?? 0) : 0;
      const retryInMs = Math.min(POLL_TIMING.errorCapMs, Math.max(asked, pollErrorDelay(errors, deps.intervalMs, POLL_TIMING.errorCapMs)));
      setStatus({ status: 'backoff', attempt: errors, retryInMs, error });
      scheduleIn(retryInMs);
      return;
    }
    errors = 0;
    if (status.status !== 'open') setStatus({ status: 'open' });
    if (outcome.kind === 'answer' && outcome.answer.ok) {
      for (const d of outcome.answer.dropped) deps.onDrop(d);
      emitter.emit('calls', { events: outcome.answer.events, complete: true });
    }
    scheduleIn(normalDelay());
  }

  function pollJson(): InFlight {
    const url = pollRequestUrl(deps.url, { extensions: deps.extensions.join(',') });
    const controller = new AbortController();
    let settled = false;
    const done = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      deps.clock.clearTimeout(stall);
      finish(outcome);
    };
    const stall = deps.clock.setTimeout(() => {
      controller.abort();
      done({ kind: 'error', error: new TimeoutError('GET', deps.url, POLL_TIMING.requestTimeoutMs) });
    }, POLL_TIMING.requestTimeoutMs);
    const headers: Record<string, string> = { Authorization: `Bearer ${deps.token}`, Accept: 'application/json' };
    if (etag !== null) headers['If-None-Match'] = etag;
    // `no-store`: we do our own revalidation; the browser cache must not answer 200 from memory.
    deps
      .fetch(url, { method: 'GET', headers, signal: controller.signal, cache: 'no-store' })
      .then(async (response): Promise<Outcome> => {
        if (response.status === 304) return { kind: 'not-modified' };
        if (response.status === 401 || response.status === 403) {
          return { kind: 'answer', answer: { ok: false, unauthorized: true, kind: 'poll:unauthorized' } };
        }
        if (!response.ok) {
          const retryAfter = Number(response.headers.get('Retry-After'));
          return { kind: 'error', error: new HttpError(response.status, 'GET', deps.url, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined) };
        }
        const text = await response.text();
        const answer = parsePollBody(text, deps.clock.now());
        if (answer.ok) etag = response.headers.get('ETag');
        return { kind: 'answer', answer };
      })
      .catch((cause: unknown): Outcome => ({ kind: 'error', error: new NetworkError('GET', deps.url, { cause }) }))
      .then(done);
    return {
      cancel() {
        settled = true;
        deps.clock.clearTimeout(stall);
        controller.abort();
      },
    };
  }

  function pollScript(): InFlight {
    const loadScript = deps.loadScript as ScriptLoader;
    const callbacks = deps.callbacks as Record<string, unknown>;
    callbackSeq += 1;
    const name = `kommoCallFeed_${Math.floor(deps.random() * 1e9).toString(36)}_${callbackSeq}`;
    let settled = false;
    let script: { remove(): void } | null = null;
    const cleanUp = (stale: boolean) => {
      deps.clock.clearTimeout(stall);
      script?.remove();
      script = null;
      if (stale) {
        // The script may still arrive and call NAME(...): leave a no-op until the next answer.
        callbacks[name] = () => {};
        staleCallbacks.push(name);
      } else {
        delete callbacks[name];
        while (staleCallbacks.length > 0) delete callbacks[staleCallbacks.pop() as string];
      }
    };
    const done = (outcome: Outcome, stale: boolean) => {
      if (settled) return;
      settled = true;
      cleanUp(stale);
      finish(outcome);
    };
    const stall = deps.clock.setTimeout(
      () => done({ kind: 'error', error: new TimeoutError('SCRIPT', deps.url, POLL_TIMING.requestTimeoutMs) }, true),
      POLL_TIMING.requestTimeoutMs,
    );
    callbacks[name] = (payload: unknown) => done({ kind: 'answer', answer: parsePollPayload(payload, deps.clock.now()) }, false);
    const url = pollRequestUrl(deps.url, { extensions: deps.extensions.join(','), token: deps.token, callback: name });
    try {
      script = loadScript(url, () => done({ kind: 'error', error: new NetworkError('SCRIPT', deps.url) }, true));
    } catch (cause) {
      done({ kind: 'error', error: new NetworkError('SCRIPT', deps.url, { cause }) }, false);
    }
    if (settled) script?.remove(); // the loader answered synchronously
    return {
      cancel() {
        if (settled) return;
        settled = true;
        cleanUp(true);
      },
    };
  }

  function poll(): void {
    if (running !== 'running' || inFlight !== null) return;
    clearTimer();
    if (status.status === 'idle') setStatus({ status: 'connecting', attempt: 0 });
    inFlightSince = deps.clock.now();
    inFlight = deps.mode === 'script' ? pollScript() : pollJson();
  }

  return {
    start() {
      if (running !== 'idle') return;
      running = 'running';
      unsubscribeVisibility = deps.onVisibilityChange(onVisibility);
      poll();
    },
    stop() {
      const wasClosed = running === 'closed';
      running = 'closed';
      clearTimer();
      unsubscribeVisibility?.();
      unsubscribeVisibility = null;
      inFlight?.cancel();
      inFlight = null;
      if (deps.callbacks) for (const name of staleCallbacks.splice(0)) delete deps.callbacks[name];
      if (!wasClosed) setStatus({ status: 'closed', reason: 'stopped' });
      emitter.clear();
    },
    nudge() {
      // Online again, awake, or visible again with a slowed-down poll pending: poll now. A request
      // in flight for longer than an interval was sent before the sleep or the outage: drop it
      // rather than wait for its stall timeout and an error backoff. A fresh one is left alone.
      if (running !== 'running') return;
      if (inFlight !== null && deps.clock.now() - inFlightSince < deps.intervalMs) return;
      inFlight?.cancel();
      inFlight = null;
      poll();
    },
    get status() {
      return status;
    },
    on(type, handler) {
      return emitter.on(type, handler);
    },
  };
}
