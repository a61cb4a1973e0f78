/**
 * Wiring: builds the call machinery from plain dependencies and owns all of it. One tab in the
 * browser leads (src/tabs): only there run the feed, the lookups and add_call (leader.ts, its
 * code fetched as leader.js when the tab leads); every tab can
 * display a pop-up the leader routes to it. `stop()` tears everything down.
 */
import type { PartLoader } from '../core/part';
import type { FeedStatus } from '../feed/types';
import type { CallPopup } from '../notify/types';
import { extensionsFor } from '../settings';
import { createTabSession } from '../tabs';
import type { TabEnvironment } from '../tabs';
import { deferredLeader } from './deferred-leader';
import type { CallEnvironment, StartLeader } from './leader';
import { parseCallPopup, parseSharedTabState } from './tab-payloads';
import type { RelayAccessKind, SharedTabState } from './tab-payloads';

export interface TelephonyDeps extends CallEnvironment {
  /** Kommo account id or subdomain: tabs of different accounts never share a leader. */
  account: string;
  /** The leading tab's code (leader.js: the feed, the lookup, the notifier), fetched when this tab leads. */
  leaderPart: PartLoader<StartLeader>;
  /** The browser's cross-tab APIs, each absent where the browser lacks it (src/platform/tab-environment.ts). */
  tabs: TabEnvironment & { tabId: string };
}

export type TelephonyStatus =
  | { status: 'no-extension' }
  /** Another tab leads; `feed` is what it last shared. */
  | { status: 'follower'; feed: FeedStatus['status'] | null; access: RelayAccessKind | null }
  | { status: 'leader'; feed: FeedStatus; access: RelayAccessKind | null };

export interface Telephony {
  status(): TelephonyStatus;
  /** This user's extensions as this tab knows them (its own lead, else the leader's share, else the `phones` setting). */
  extensions(): readonly string[];
  stop(): void;
}

export function startTelephony(deps: TelephonyDeps): Telephony {
  const { settings, user, clock, logger, page } = deps;
  const extensions = extensionsFor(settings, user.id);
  // With tickets the relay says which extensions this user has (leader.ts); without, `phones` does.
  if (extensions.length === 0 && deps.ticketPost === undefined) {
    // Not an error: this user takes no calls. The settings panel shows the hint.
    logger.info('no extension for this user: the call feed stays off', { userId: user.id });
    return { status: () => ({ status: 'no-extension' }), extensions: () => [], stop() {} };
  }

  let feedStatus: FeedStatus | null = null;
  let access: RelayAccessKind | null = null;
  let heard: readonly string[] | null = null;
  let shared: SharedTabState | null = null;
  // A leader serves other tabs; a tab alone (no cross-tab APIs) slows its polling when hidden.
  let servesOthers = false;
  // The lead's desktop notifications hear of the pop-ups displayed in this tab (leader.ts onDisplayed).
  const displayedHere = new Set<(popup: CallPopup) => void>();

  const session = createTabSession({
    key: `${deps.account}:${user.id}`,
    clock,
    logger,
    ...deps.tabs,
    page,
    parsePopup: parseCallPopup,
    parseState: parseSharedTabState,
    lead(ctx) {
      const onFeedStatus = (status: FeedStatus) => {
        feedStatus = status;
      };
      const lead = deferredLeader({
        load: deps.leaderPart,
        start: (startLeader) =>
          startLeader(
            {
              ...deps,
              extensions,
              // The previous leader's ticket, as this tab last heard it (leader.ts uses it if it lasts).
              handedTicket: shared?.ticket ?? null,
              // The leader serves every tab: it keeps its pace while its own tab is hidden.
              servingOthers: () => servesOthers,
              onFeedStatus,
              onAccess: (kind, list) => {
                access = kind;
                heard = list;
              },
              onDisplayed: (listener) => {
                displayedHere.add(listener);
                return () => displayedHere.delete(listener);
              },
            },
            ctx,
          ),
        onFeedStatus,
        clock,
        random: deps.random ?? Math.random,
        logger,
      });
      return {
        stop() {
          lead.stop();
          feedStatus = null;
          heard = null;
        },
        notifiedIds: () => lead.notifiedIds?.() ?? [],
      };
    },
    display: (popup) => {
      deps.marks?.mark('routed', popup.callId);
      try {
        deps.sink.showPopup(popup);
        deps.marks?.mark('shown', popup.callId);
      } finally {
        for (const listener of displayedHere) listener(popup);
      }
    },
    onState: (state) => {
      shared = state;
    },
    onRole: (role) => {
      servesOthers = role.role === 'leader';
    },
  });

  return {
    status: () =>
      feedStatus?.status === 'closed' && feedStatus.reason === 'no-extension'
        ? { status: 'no-extension' }
        : feedStatus
          ? { status: 'leader', feed: feedStatus, access }
          : { status: 'follower', feed: shared?.feed ?? null, access: shared?.access ?? null },
    extensions: () => heard ?? shared?.extensions ?? extensions,
    stop: () => session.stop(),
  };
}
