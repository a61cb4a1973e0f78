/**
 * Cross-tab coordination: one leader per browser profile and Kommo account+user.
 *
 * Only the leader runs the call feed and the lookups and posts `add_call` (which Kommo stores
 * once per post: several tabs posting means several entries in the notification centre, see
 * https://developers.kommo.com/docs/call-notification). The other tabs follow: they receive the
 * leader's call state and show the pop-ups the leader routes to them.
 *
 * The pop-up (`P`) and the shared state (`S`) are the app's: this module carries them opaque,
 * and the app checks what arrives from another tab (`parsePopup`, `parseState`).
 */
import type { Clock } from '../core/clock';
import type { PartLoader } from '../core/part';
import type { Election } from './election';
import type { LeaseElectionDeps } from './lease-election';
import type { Logger } from '../core/logger';

export type TabRole = { role: 'alone' } | { role: 'leader' } | { role: 'follower'; leaderId: string | null };

/** Whether the user looks at a tab: the pop-up goes to the tab they look at. */
export type Attention =
  /** Visible and focused since `since` (ms since the epoch). */
  | { kind: 'looking'; since: number }
  | { kind: 'visible' }
  | { kind: 'hidden' };

/**
 * What a successor needs so no call is notified twice: the call ids that already had their
 * pop-up and the ones that already had their `add_call`. Bounded (the newest ids are kept).
 */
export interface Handover {
  popped: readonly string[];
  notified: readonly string[];
}

/**
 * The slice of `navigator.locks` used (Web Locks API,
 * https://developer.mozilla.org/docs/Web/API/LockManager/request). The browser releases a
 * lock when its tab closes or crashes, which is what makes the takeover immediate.
 */
export interface TabLocks {
  request(
    name: string,
    options: { mode?: 'exclusive' | 'shared'; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<void> | void,
  ): Promise<unknown>;
}

/** The slice of a `BroadcastChannel` instance used. */
export interface TabBroadcastChannel {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}
export type TabBroadcastChannelCtor = new (name: string) => TabBroadcastChannel;

/** The slice of `localStorage` used (lease and the storage-event channel). */
export type TabStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The fields of a `StorageEvent` used. */
export interface TabStorageEvent {
  key: string | null;
  newValue: string | null;
}

/** The page this tab shows: attention and lifetime. Every `on*` returns its unsubscribe. */
export interface TabPage {
  isVisible(): boolean;
  hasFocus(): boolean;
  /** Focus, blur, visibilitychange. */
  onAttention(handler: () => void): () => void;
  /** pagehide: the tab closes or navigates away. */
  onUnload(handler: () => void): () => void;
}

/** What the leader (or a tab alone) gets to run the feed, the lookups and the notifier. */
export interface LeadContext<P = unknown, S = unknown> {
  /**
   * Shows the call's pop-up in the tab the user looks at (maybe this one), once per call id
   * across the browser: a second call with the same id (this leader or an earlier one
   * already showed it) does nothing. An empty `callId` is shown without that guarantee.
   */
  showPopup(popup: P, callId: string): void;
  /** Shares the leader's state with every tab (this one included). JSON-safe. */
  publish(state: S): void;
  /** Call ids that already had their `add_call`, handed over from the previous leaders (a copy). */
  readonly notifiedIds: string[];
  /** Whether `add_call` was already posted for this call (by this leader or an earlier one). */
  wasNotified(callId: string): boolean;
  /** Records, right before posting `add_call`, that this call is notified; shared with the other tabs at once. */
  markNotified(callId: string): void;
}

export interface LeadHandle {
  stop(): void;
  /** The notifier's notified ids: read when the leadership ends, for the successor. */
  notifiedIds?(): string[];
}

/** Checks a payload that came from another tab (another program: a half-updated widget, a stray script). */
export type PayloadCheck<T> = (raw: unknown) => T | null;

interface TabSessionBase<P, S> {
  /** `${accountId}:${userId}`: separate leaders per Kommo account and user. */
  key: string;
  /** Random per tab. */
  tabId: string;
  clock: Clock;
  logger: Logger;
  /** `navigator.locks` when present. */
  locks?: TabLocks;
  /** `AbortController` to withdraw a waiting lock request on stop (where locks exist, it does). */
  AbortController?: typeof AbortController;
  BroadcastChannel?: TabBroadcastChannelCtor;
  /** `localStorage`, for the lease (no Web Locks) and the storage-event channel (no BroadcastChannel). */
  storage?: TabStorage;
  /** Subscribe to the window's `storage` event. */
  onStorage?: (handler: (event: TabStorageEvent) => void) => () => void;
  /**
   * The localStorage lease election's code (lease.js in the widget, loaded on first use; tests
   * hand `leaseElection` over at once). Absent: a tab without Web Locks works alone.
   */
  leaseElection?: PartLoader<(deps: LeaseElectionDeps) => Election>;
  page: TabPage;
  /** Called when this tab becomes leader (or works alone): start the feed, lookups, notifier. */
  lead(ctx: LeadContext<P, S>): LeadHandle;
  /** Called in the tab that must display a pop-up. */
  display(popup: P): void;
  /** The leader's shared state, in every tab (leader included); a new tab gets it at once. */
  onState?(state: S): void;
  /** This tab's role changed. */
  onRole?(role: TabRole): void;
}

/** A typed payload needs its check; an `unknown` one is handed over as it came. */
type Checks<P, S> = (unknown extends P ? { parsePopup?: PayloadCheck<P> } : { parsePopup: PayloadCheck<P> }) &
  (unknown extends S ? { parseState?: PayloadCheck<S> } : { parseState: PayloadCheck<S> });

export type TabSessionDeps<P = unknown, S = unknown> = TabSessionBase<P, S> & Checks<P, S>;

export interface TabTiming {
  /** Lease: the leader renews this often. */
  renewMs: number;
  /** Lease: a record not renewed for this long is dead. */
  leaseTtlMs: number;
  /** Lease: followers check the record this often. */
  checkMs: number;
  /** Lease: after writing a claim, wait this long and read it back (the last writer wins). */
  settleMs: number;
  /** A routed pop-up not acknowledged in this time is shown by the leader itself. */
  popupAckMs: number;
}

export type TabMode = 'locks' | 'lease' | 'alone';

export interface TabSession {
  readonly role: TabRole;
  /** The tab's mechanism: Web Locks, localStorage lease, or none (alone). */
  readonly mode: TabMode;
  /** Releases the lock/lease, says goodbye to the other tabs, closes the channel, removes listeners. */
  stop(): void;
}

/** The browser's cross-tab APIs as the platform layer finds them (src/platform/tab-environment.ts). */
export type TabEnvironment = Pick<TabSessionBase<unknown, unknown>, 'locks' | 'AbortController' | 'BroadcastChannel' | 'storage' | 'onStorage' | 'leaseElection'>;
