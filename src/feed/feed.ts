/**
 * The call feed: picks the transport from the settings, validates what it brings, tracks call
 * state and hands the rest of the widget `change` and `status` events. Nobody past this file
 * knows whether a WebSocket or polling runs.
 */
import type { Clock } from '../core/clock';
import { createEmitter } from '../core/emitter';
import type { Logger } from '../core/logger';
import { createOnceLogger } from '../core/logger';
import type { TransportSettings } from '../settings/types';
import type { Dropped } from '../protocol/frames';
import { createDeferredTransport } from './deferred-transport';
import type { TransportLoader } from './deferred-transport';
import type { PollTransportDeps } from './poll-transport';
import type { ScriptLoader } from './poll-script';
import { sharedToken } from './credentials';
import type { FeedCredentials } from './credentials';
import { createCallTracker } from './tracker';
import type { CallBatch, CallFeed, CallFeedEvents, CallTransport, FeedStatus } from './types';
import { watchWake } from './wake';
import type { WakePage, WakeWatcher } from './wake';
import { createWebSocketTransport } from './ws-transport';

export interface FeedPage extends WakePage {
  /** `location.protocol` of the Kommo page, e.g. `https:`. */
  protocol: string;
}

export interface CallFeedDeps {
  transport: TransportSettings;
  /** What the relay is shown: the leader's relay access (tickets), or a version-1 relay's shared `token`. */
  credentials?: FeedCredentials;
  /** The shared token setting, used when `credentials` is absent (version 1, tests). */
  token?: string;
  /** The current user's extensions; empty: no connection at all, status closed `no-extension`. */
  extensions: string[];
  clock: Clock;
  logger: Logger;
  WebSocket: typeof WebSocket;
  fetch: typeof fetch;
  /**
   * Polling: where its code comes from. script.js loads poll.js on first use (WebSocket installs
   * never fetch it); tests hand createPollTransport over at once. Absent: polling is `config`.
   */
  pollTransport?: TransportLoader<PollTransportDeps>;
  /** Script mode: adds a <script> tag (platform layer); `onError` when it fails to load. */
  loadScript?: ScriptLoader;
  /** Script mode: where NAME({...}) callbacks are installed (window in the browser). */
  callbacks?: Record<string, unknown>;
  page: FeedPage;
  /** Tab coordination: when true, polling keeps full rate while hidden. */
  servingOthers?: () => boolean;
  random?: () => number;
}

/** Why a feed cannot run with these settings, or null when it can. */
function feedConfigProblem(deps: Pick<CallFeedDeps, 'transport' | 'extensions' | 'page' | 'loadScript' | 'callbacks' | 'pollTransport'>): 'no-extension' | 'config' | null {
  if (deps.extensions.length === 0) return 'no-extension';
  const t = deps.transport;
  const scheme = t.url.slice(0, t.url.indexOf(':') + 1).toLowerCase();
  const usable =
    t.kind === 'ws'
      ? // Browsers block ws: from an https: page (mixed content): refuse instead of failing forever.
        scheme === 'wss:' || (scheme === 'ws:' && deps.page.protocol !== 'https:')
      : deps.pollTransport !== undefined && (t.mode !== 'script' || (deps.loadScript !== undefined && deps.callbacks !== undefined)) && t.intervalMs > 0;
  return usable ? null : 'config';
}

export function createCallFeed(deps: CallFeedDeps): CallFeed {
  const emitter = createEmitter<CallFeedEvents>();
  const tracker = createCallTracker({ clock: deps.clock });
  const random = deps.random ?? Math.random;
  const warnOnce = createOnceLogger(deps.logger);
  const subscribed = new Set(deps.extensions);
  const problem = feedConfigProblem(deps);
  let status: FeedStatus = problem === null ? { status: 'idle' } : { status: 'closed', reason: problem };
  let phase: 'idle' | 'running' | 'stopped' = 'idle';
  let transport: CallTransport | null = null;
  let wake: WakeWatcher | null = null;
  const offs: Array<() => void> = [];

  function onDrop(dropped: Dropped): void {
    warnOnce(dropped.kind, `feed: dropped (${dropped.kind})`, dropped.detail === undefined ? undefined : { detail: dropped.detail });
  }

  /** A listener's bug must not stop the feed or reach the page. */
  function emit<K extends keyof CallFeedEvents & string>(type: K, event: CallFeedEvents[K]): void {
    try {
      emitter.emit(type, event);
    } catch (cause) {
      deps.logger.error(`feed: a ${type} listener threw`, { cause });
    }
  }

  function setStatus(next: FeedStatus): void {
    status = next;
    emit('status', next);
  }

  function onCalls(batch: CallBatch): void {
    // Only this user's extensions: a relay that sends more must not pop up other people's calls.
    const mine = batch.events.filter((event) => {
      if (subscribed.has(event.extension)) return true;
      onDrop({ kind: 'event:foreign_extension' });
      return false;
    });
    for (const change of tracker.apply({ ...batch, events: mine })) emit('change', change);
  }

  function buildTransport(): CallTransport {
    const t = deps.transport;
    const common = { credentials: deps.credentials ?? sharedToken(deps.token ?? ''), extensions: [...subscribed], clock: deps.clock, logger: deps.logger, random, onDrop };
    const onVisibilityChange = (h: () => void) => deps.page.onVisibilityChange(h);
    // The leader serves every tab: while it does, its own tab being hidden does not count.
    const hidden = () => !deps.page.isVisible() && !(deps.servingOthers?.() ?? false);
    if (t.kind === 'ws') return createWebSocketTransport({ ...common, url: t.url, WebSocket: deps.WebSocket, fetch: deps.fetch, hidden, onVisibilityChange });
    const pollDeps: PollTransportDeps = {
      ...common,
      ...t,
      fetch: deps.fetch,
      loadScript: deps.loadScript,
      callbacks: deps.callbacks,
      hidden,
      onVisibilityChange,
    };
    return createDeferredTransport({ load: deps.pollTransport as TransportLoader<PollTransportDeps>, deps: pollDeps, clock: deps.clock, random, logger: deps.logger });
  }

  function stopWake(): void {
    wake?.stop();
    wake = null;
  }

  return {
    start() {
      if (phase !== 'idle') return;
      phase = 'running';
      if (problem !== null) {
        if (problem === 'config') deps.logger.warn('feed: transport settings unusable here', { kind: deps.transport.kind });
        setStatus(status);
        return;
      }
      const current = buildTransport();
      transport = current;
      offs.push(
        current.on('calls', onCalls),
        current.on('status', (next) => {
          setStatus(next);
          if (next.status === 'closed' && next.reason === 'unauthorized') stopWake();
        }),
      );
      wake = watchWake(deps.clock, deps.page, (why) => {
        deps.logger.debug('feed: woke up, reconnecting', { why });
        current.nudge();
      });
      current.start();
    },
    stop() {
      if (phase === 'stopped') return;
      phase = 'stopped';
      stopWake();
      for (const off of offs.splice(0)) off();
      transport?.stop();
      transport = null;
      // A feed that never could run keeps saying why (the settings panel shows it).
      if (problem === null) setStatus({ status: 'closed', reason: 'stopped' });
      emitter.clear();
    },
    get status() {
      return status;
    },
    activeCalls() {
      return tracker.active();
    },
    on(type, handler) {
      return emitter.on(type, handler);
    },
  };
}
