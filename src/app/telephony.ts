/**
 * Wiring: builds the call machinery from plain dependencies and owns all of it. One tab in the
 * browser leads (src/tabs): only there run the feed, the lookups and add_call; every tab can
 * display a pop-up the leader routes to it. `stop()` tears everything down.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { FeedStatus } from '../feed/types';
import type { NotificationSink } from '../notify/types';
import type { NotifyStrings } from '../notify';
import type { WidgetSettings } from '../settings/types';
import type { PageEnv } from './page';
import { createCallFeed } from '../feed';
import type { PollTransportDeps, TransportLoader } from '../feed';
import { createCallerLookup } from '../lookup';
import { createCallNotifier, NOTIFY_TIMING } from '../notify';
import { extensionsFor } from '../settings';
import { createTabSession } from '../tabs';
import type { TabEnvironment } from '../tabs';
import { createEventsPoster } from './events-poster';
import { parseCallPopup, parseSharedTabState, type SharedTabState } from './tab-payloads';

export interface TelephonyDeps {
  settings: WidgetSettings;
  user: { id: string; name?: string };
  /** Kommo account id or subdomain: tabs of different accounts never share a leader. */
  account: string;
  locale: string;
  strings: { notify: NotifyStrings; unnamed(type: 'lead' | 'customer', id: number): string };
  sink: NotificationSink;
  page: PageEnv;
  clock: Clock;
  logger: Logger;
  fetch: typeof fetch;
  WebSocket: typeof WebSocket;
  /** Script-mode polling: adds a `<script>` tag; callbacks land on `scriptCallbacks` (window). */
  loadScript?: (url: string, onError?: () => void) => { remove(): void };
  scriptCallbacks?: Record<string, unknown>;
  /** Polling's code (poll.js in script.js, loaded on first use: src/platform/lifecycle.ts). */
  pollTransport?: TransportLoader<PollTransportDeps>;
  /** The browser's cross-tab APIs, each absent where the browser lacks it (src/platform/tab-environment.ts). */
  tabs: TabEnvironment & { tabId: string };
}

export type TelephonyStatus =
  | { status: 'no-extension' }
  /** Another tab leads; `feed` is what it last shared. */
  | { status: 'follower'; feed: FeedStatus['status'] | null }
  | { status: 'leader'; feed: FeedStatus };

export interface Telephony {
  status(): TelephonyStatus;
  stop(): void;
}

/**
 * The notifier stops waiting for the lookup at 1.4 s (its pop-up budget, within the 1.5 s the
 * pop-up is due), and the lookup gives up 100 ms before, at 1.3 s, in time for the pop-up to say
 * "could not look up" rather than show a bare number.
 */
const LOOKUP_TIMEOUT_MS = NOTIFY_TIMING.popupBudgetMs - 100;

export function startTelephony(deps: TelephonyDeps): Telephony {
  const { settings, user, clock, logger, page } = deps;
  const extensions = extensionsFor(settings, user.id);
  if (extensions.length === 0) {
    // Not an error: this user takes no calls. The settings panel shows the hint.
    logger.info('no extension for this user: the call feed stays off', { userId: user.id });
    return { status: () => ({ status: 'no-extension' }), stop() {} };
  }

  let feedStatus: FeedStatus | null = null;
  let shared: SharedTabState | null = null;
  // A leader serves other tabs; a tab alone (no cross-tab APIs) slows its polling when hidden.
  let servesOthers = false;

  const session = createTabSession({
    key: `${deps.account}:${user.id}`,
    clock,
    logger,
    ...deps.tabs,
    page,
    parsePopup: parseCallPopup,
    parseState: parseSharedTabState,
    lead(ctx) {
      const lookup = createCallerLookup({
        fetch: deps.fetch,
        clock,
        logger,
        origin: page.origin,
        country: settings.country,
        timeoutMs: LOOKUP_TIMEOUT_MS,
        unnamed: deps.strings.unnamed,
      });
      const notifier = createCallNotifier({
        lookup,
        sink: {
          showPopup: (popup) => ctx.showPopup(popup, popup.callId ?? ''),
          addCall(call) {
            // add_call is stored and sent over every channel: once per call across leaders.
            if (call.callId !== undefined) {
              if (ctx.wasNotified(call.callId)) return;
              ctx.markNotified(call.callId);
            }
            deps.sink.addCall(call);
          },
        },
        strings: deps.strings.notify,
        locale: deps.locale,
        clock,
        logger,
        manager: { id: user.id, name: user.name, extension: extensions[0] ?? '' },
        mode: settings.notifyMode,
        postEvent: createEventsPoster({ fetch: deps.fetch, origin: page.origin }),
      });
      notifier.remember(ctx.notifiedIds);
      const feed = createCallFeed({
        transport: settings.transport,
        token: settings.token,
        extensions,
        clock,
        logger,
        WebSocket: deps.WebSocket,
        fetch: deps.fetch,
        loadScript: deps.loadScript,
        pollTransport: deps.pollTransport,
        callbacks: deps.scriptCallbacks,
        page,
        // The leader serves every tab: it keeps its pace while its own tab is hidden.
        servingOthers: () => servesOthers,
      });
      const publish = () => {
        // Calls filed without add_call (events mode) count as notified too, for the successor.
        for (const id of notifier.notifiedIds()) ctx.markNotified(id);
        ctx.publish({ feed: feed.status.status });
      };
      const offChange = feed.on('change', (change) => {
        notifier.handle(change);
        publish();
      });
      const offStatus = feed.on('status', (status) => {
        feedStatus = status;
        publish();
      });
      feed.start();
      return {
        stop() {
          offChange();
          offStatus();
          feed.stop();
          notifier.dispose();
          lookup.dispose();
          feedStatus = null;
        },
        notifiedIds: () => notifier.notifiedIds(),
      };
    },
    display: (popup) => deps.sink.showPopup(popup),
    onState: (state) => {
      shared = state;
    },
    onRole: (role) => {
      servesOthers = role.role === 'leader';
    },
  });

  return {
    status: () => (feedStatus ? { status: 'leader', feed: feedStatus } : { status: 'follower', feed: shared?.feed ?? null }),
    stop: () => session.stop(),
  };
}
