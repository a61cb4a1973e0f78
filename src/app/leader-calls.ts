/**
 * The call machinery of one lead term: the feed, the caller lookup and the notifier for the
 * extensions the relay access granted, publishing the feed status and the held ticket to the
 * other tabs. leader.ts decides the access; this runs the calls with it.
 */
import { createCallFeed, pollShared } from '../feed';
import type { FeedCredentials } from '../feed/credentials';
import type { RelayAccess } from '../feed/relay-access';
import { shareTicket } from '../feed/ticket-handover';
import { createCallerLookup } from '../lookup';
import { createCallNotifier, NOTIFY_TIMING } from '../notify';
import type { CallNotifier, CallPopup } from '../notify';
import type { LeadContext, LeadHandle } from '../tabs';
import { createEventsPoster } from './events-poster';
import { desktopCalls } from './desktop-calls';
import type { DesktopCalls } from './desktop-calls';
import type { LeaderDeps } from './leader';
import type { RelayAccessKind, SharedTabState } from './tab-payloads';
import { markedFetch, markedLookup, markedWebSocket } from './call-stages';

/**
 * The notifier stops waiting for the lookup at 1.4 s (its pop-up budget, within the 1.5 s the
 * pop-up is due), and the lookup gives up 100 ms before, at 1.3 s, in time for the pop-up to say
 * that the CRM was slow rather than show a bare number.
 */
const LOOKUP_TIMEOUT_MS = NOTIFY_TIMING.popupBudgetMs - 100;

interface CallHandlers {
  desktop: DesktopCalls;
  notifier: CallNotifier;
  stop(): void;
}

/**
 * The feed, the lookup and the notifier for these extensions, presenting these credentials.
 * The socket comes first: in a takeover the other tabs wake up on the new leader's snapshot and
 * take the CPU, so the connection is on its way before the lookup and the notifier are built.
 * They are built in the same task, before any frame can arrive (frames come in later tasks).
 */
export function runCalls(deps: LeaderDeps, ctx: LeadContext<CallPopup, SharedTabState>, extensions: string[], credentials: FeedCredentials, access: RelayAccessKind, relay?: RelayAccess): LeadHandle {
  const { settings, user, clock, logger, page, marks } = deps;
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
  // Null only while the feed starts: its first status is published before the notifier exists.
  let calls: CallHandlers | null = null;
  const publish = () => {
    // Calls filed without add_call (events mode) count as notified too, for the successor.
    for (const id of calls?.notifier.notifiedIds() ?? []) ctx.markNotified(id);
    // The ticket too: the next leader of this user connects with it at once (ticket-handover.ts).
    const held = relay?.held();
    ctx.publish({ feed: feed.status.status, access, extensions, ...(held ? { ticket: shareTicket(held, user.id) } : {}) });
  };
  const offRenewed = credentials.onRenewed(publish);
  const offStatus = feed.on('status', (status) => {
    deps.onFeedStatus(status);
    publish();
  });
  feed.start();
  const handlers = callHandlers(deps, ctx, extensions);
  calls = handlers;
  const offChange = feed.on('change', (change) => {
    marks?.mark('tracker');
    handlers.desktop.handle(change);
    handlers.notifier.handle(change);
    publish();
  });
  return {
    stop() {
      offChange();
      offStatus();
      offRenewed();
      feed.stop();
      handlers.stop();
    },
    notifiedIds: () => handlers.notifier.notifiedIds(),
  };
}

/** The lookup and the notifier (with its desktop notifications) that turn the feed's changes into pop-ups and add_call. */
function callHandlers(deps: LeaderDeps, ctx: LeadContext<CallPopup, SharedTabState>, extensions: string[]): CallHandlers {
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
  return {
    desktop,
    notifier,
    stop() {
      notifier.dispose();
      desktop.stop();
      lookup.dispose();
    },
  };
}
