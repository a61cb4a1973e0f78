/**
 * The leading tab: its dependencies (the contract between script.js and leader.js) and how it
 * reaches the relay (a ticket for this user, or the shared token); leader-calls.ts runs the
 * feed, the lookup and the notifier with the access granted. It is leader.js (leader-part.ts),
 * not script.js: only the tab that leads needs it, and it carries most of the widget's bytes
 * (libphonenumber's metadata among them). script.js hands it everything it uses (deferred-leader.ts).
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { PartLoader } from '../core/part';
import type { StageMarks } from '../core/stage-marks';
import type { FeedStatus, createPollTransportWith } from '../feed';
import { sharedToken } from '../feed/credentials';
import { createRelayAccess } from '../feed/relay-access';
import type { TicketPost } from '../feed/relay-access';
import { adoptTicket } from '../feed/ticket-handover';
import type { SharedTicket } from '../feed/ticket-handover';
import { ticketUrl } from '../protocol/url';
import type { CallerScope } from '../lookup/caller-keys';
import type { CallPopup, NotificationSink, NotifyStrings } from '../notify';
import type { DesktopNotifications } from '../notify/desktop-types';
import type { WidgetSettings } from '../settings/types';
import type { LeadContext, LeadHandle } from '../tabs';
import { runCalls } from './leader-calls';
import type { PageEnv } from './page';
import type { SharedTabState } from './tab-payloads';

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
