/**
 * The leading tab's call machinery: the feed, the caller lookup and the notifier, wired to the
 * tab session's lead context. It is leader.js (leader-part.ts), not script.js: only the tab that
 * leads needs it, and it carries most of the widget's bytes (libphonenumber's metadata among
 * them). script.js hands it everything it uses (deferred-leader.ts).
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { PartLoader } from '../core/part';
import { createCallFeed, pollShared } from '../feed';
import type { FeedStatus, createPollTransportWith } from '../feed';
import { sharedToken } from '../feed/credentials';
import type { FeedCredentials } from '../feed/credentials';
import { createRelayAccess } from '../feed/relay-access';
import type { RelayAccess, TicketPost } from '../feed/relay-access';
import { adoptTicket, shareTicket } from '../feed/ticket-handover';
import type { SharedTicket } from '../feed/ticket-handover';
import { ticketUrl } from '../protocol/url';
import { createCallerLookup } from '../lookup';
import type { CallerScope } from '../lookup/caller-keys';
import { createCallNotifier, NOTIFY_TIMING } from '../notify';
import type { CallPopup, NotificationSink, NotifyStrings } from '../notify';
import type { WidgetSettings } from '../settings/types';
import type { LeadContext, LeadHandle } from '../tabs';
import { createEventsPoster } from './events-poster';
import { desktopCalls } from './desktop-calls';
import type { DesktopNotifications } from '../notify/desktop-types';
import type { PageEnv } from './page';
import type { RelayAccessKind, SharedTabState } from './tab-payloads';
import type { StageMarks } from '../core/stage-marks';
import { markedFetch, markedLookup, markedWebSocket } from './call-stages';

/** What the page gives the call machinery (telephony.ts passes its own deps on): plain values and injected edges. */
export interface CallEnvironment {
  settings: WidgetSettings;
  user: { id: string; name?: string };
  /** This user's remembered callers (src/lookup/caller-keys.ts); absent: the lookup remembers in memory only. */
  callers?: CallerScope;
  locale: string;
  /** `desktop`: the i18n `desktop` section as Kommo gives it (src/notify/desktop-strings.ts reads it). */
  strings: { notify: NotifyStrings; unnamed(type: 'lead' | 'customer', id: number): string; desktop?: Record<string, unknown> };
  sink: NotificationSink;
  /** Desktop notifications (src/platform/desktop-notifications.ts); absent: none. */
  desktop?: DesktopNotifications;
  page: PageEnv;
  clock: Clock;
  logger: Logger;
  fetch: typeof fetch;
  WebSocket: typeof WebSocket;
  /** Script-mode polling: adds a `<script>` tag; callbacks land on `scriptCallbacks` (window). */
  loadScript?: (url: string, onError?: () => void) => { remove(): void };
  scriptCallbacks?: Record<string, unknown>;
  /** poll.js, the polling part, as loaded (src/platform/lifecycle.ts): it gets leader.js's shared code. */
  pollPart?: PartLoader<{ createPollTransportWith: typeof createPollTransportWith }>;
  /** Kommo's `$authorizedAjax` as a POST (src/platform/host.ts): the relay's tickets; absent: the shared token only. */
  ticketPost?: TicketPost;
  random?: () => number;
  /** The ringing call's stages (src/core/stage-marks.ts); absent: none marked. */
  marks?: StageMarks;
}

export interface LeaderDeps extends CallEnvironment {
  /** The `phones` setting's extensions of this user (used without tickets). */
  extensions: string[];
  /** The leader serves other tabs: it keeps its pace while its own tab is hidden. */
  servingOthers(): boolean;
  /** Every feed status of this leader. */
  onFeedStatus(status: FeedStatus): void;
  /** How this leader is known to the relay: its user's ticket, or the account's shared token (every user reads every extension). */
  onAccess(access: 'ticket' | 'shared-token', extensions: readonly string[]): void;
  /** The pop-ups the tab layer displays in this tab (none looks at another): the desktop notification follows them. */
  onDisplayed?(listener: (popup: CallPopup) => void): () => void;
  /** The ticket the previous leader shared (SharedTabState): used at once when it is this user's and lasts (ticket-handover.ts). */
  handedTicket?: SharedTicket | null;
}

export type StartLeader = (deps: LeaderDeps, ctx: LeadContext<CallPopup, SharedTabState>) => LeadHandle;

/**
 * The notifier stops waiting for the lookup at 1.4 s (its pop-up budget, within the 1.5 s the
 * pop-up is due), and the lookup gives up 100 ms before, at 1.3 s, in time for the pop-up to say
 * that the CRM was slow rather than show a bare number.
 */
const LOOKUP_TIMEOUT_MS = NOTIFY_TIMING.popupBudgetMs - 100;

/**
 * With a host that signs requests (`$authorizedAjax`), the relay is asked for a ticket first
 * (relay-access.ts): its answer says which extensions this user hears (the relay's users file is
 * the one authority), and the feed starts then. Otherwise, or when the relay issues no tickets,
 * the shared token setting and the `phones` setting, as with a version-1 relay.
 */
export const startLeader: StartLeader = (deps, ctx) => {
  const ticketAt = deps.ticketPost ? ticketUrl(deps.settings.transport.url) : null;
  if (deps.ticketPost === undefined || ticketAt === null) {
    deps.onAccess('shared-token', deps.extensions);
    return runCalls(deps, ctx, deps.extensions, sharedToken(deps.settings.token), 'shared-token');
  }
  const access = createRelayAccess({
    ticketUrl: ticketAt,
    post: deps.ticketPost,
    token: deps.settings.token,
    clock: deps.clock,
    logger: deps.logger,
    random: deps.random ?? Math.random,
    hidden: () => !deps.page.isVisible() && !deps.servingOthers(),
    handedOver: adoptTicket(deps.handedTicket, deps.user.id, deps.clock.now()),
  });
  let calls: LeadHandle | null = null;
  deps.onFeedStatus({ status: 'connecting', attempt: 0 });
  access.start((granted) => {
    if (granted.mode === 'refused') return deps.onFeedStatus({ status: 'closed', reason: granted.reason });
    const kind = granted.mode === 'ticket' ? 'ticket' : 'shared-token';
    const extensions = granted.mode === 'ticket' ? granted.extensions : deps.extensions;
    deps.onAccess(kind, extensions);
    calls = runCalls(deps, ctx, extensions, access.credentials, kind, access);
  });
  return {
    stop() {
      access.stop();
      calls?.stop();
      calls = null;
    },
    notifiedIds: () => calls?.notifiedIds?.() ?? [],
  };
};

/** The feed, the lookup and the notifier for these extensions, presenting these credentials. */
function runCalls(deps: LeaderDeps, ctx: LeadContext<CallPopup, SharedTabState>, extensions: string[], credentials: FeedCredentials, access: RelayAccessKind, relay?: RelayAccess): LeadHandle {
  const { settings, user, clock, logger, page, marks } = deps;
  const desktop = desktopCalls(deps);
  const lookup = desktop.lookup(markedLookup(createCallerLookup({
    fetch: markedFetch(deps.fetch, marks),
    clock,
    logger,
    origin: page.origin,
    country: settings.country,
    timeoutMs: LOOKUP_TIMEOUT_MS,
    remembered: deps.callers,
    unnamed: deps.strings.unnamed,
  }), marks));
  const notifier = createCallNotifier({
    lookup,
    sink: {
      showPopup: (popup) => {
        marks?.mark('text-built', popup.callId);
        ctx.showPopup(desktop.popup(popup), popup.callId ?? '');
      },
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
  const pollPart = deps.pollPart;
  const feed = createCallFeed({
    transport: settings.transport,
    credentials,
    extensions,
    clock,
    logger,
    WebSocket: markedWebSocket(deps.WebSocket, marks),
    fetch: deps.fetch,
    loadScript: deps.loadScript,
    pollTransport: pollPart && ((loaded, failed) => pollPart((part) => loaded((d) => part.createPollTransportWith(pollShared, d)), failed)),
    callbacks: deps.scriptCallbacks,
    page,
    servingOthers: deps.servingOthers,
  });
  const publish = () => {
    // Calls filed without add_call (events mode) count as notified too, for the successor.
    for (const id of notifier.notifiedIds()) ctx.markNotified(id);
    // The ticket too: the next leader of this user connects with it at once (ticket-handover.ts).
    const held = relay?.held();
    ctx.publish({ feed: feed.status.status, access, extensions, ...(held ? { ticket: shareTicket(held, user.id) } : {}) });
  };
  const offRenewed = credentials.onRenewed(publish);
  const offChange = feed.on('change', (change) => {
    marks?.mark('tracker');
    desktop.handle(change);
    notifier.handle(change);
    publish();
  });
  const offStatus = feed.on('status', (status) => {
    deps.onFeedStatus(status);
    publish();
  });
  feed.start();
  return {
    stop() {
      offChange();
      offStatus();
      offRenewed();
      feed.stop();
      notifier.dispose();
      desktop.stop();
      lookup.dispose();
    },
    notifiedIds: () => notifier.notifiedIds(),
  };
}
