/**
 * In-memory doubles of the browser pieces tabs share: a LockManager (Web Locks), a
 * BroadcastChannel hub, a localStorage with storage events, and pages. Several "tabs" live in
 * one jest process on jest's fake timers; each double counts what is left open so tests can
 * check that stop() cleans up, and a tab can "crash" (its timers die, nothing says goodbye,
 * the browser drops its locks and channels).
 */
import type { Clock, TimerHandle } from '../../../src/core/clock';
import type { Logger } from '../../../src/core/logger';
import { createTabSession } from '../../../src/tabs';
import { leaseElection } from '../../../src/tabs/lease-election';
import type { LeadContext, TabBroadcastChannelCtor, TabLocks, TabPage, TabRole, TabSession, TabSessionDeps, TabStorage, TabStorageEvent } from '../../../src/tabs';

/** The payloads the tests pass between tabs: the tabs module carries them opaque. */
export interface Popup {
  header: string;
  text: string;
  date: number;
}
export interface Shared {
  calls: string[];
}

export const checkPopup = (raw: unknown): Popup | null => {
  const value = raw as Partial<Popup> | null;
  return typeof value === 'object' && value !== null && typeof value.header === 'string' && typeof value.text === 'string' && typeof value.date === 'number'
    ? { header: value.header, text: value.text, date: value.date }
    : null;
};
export const checkShared = (raw: unknown): Shared | null => {
  const calls = (raw as Partial<Shared> | null)?.calls;
  return Array.isArray(calls) && calls.every((id) => typeof id === 'string') ? { calls } : null;
};
export const checks = { popup: checkPopup, state: checkShared };

/** A tab's clock on jest's fake timers; `crash()` kills every timer of the tab. */
export class TabClock implements Clock {
  private readonly handles = new Set<ReturnType<typeof setTimeout>>();
  dead = false;
  now(): number {
    return Date.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      if (!this.dead) fn();
    }, ms);
    this.handles.add(handle);
    return handle;
  }
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
    this.handles.delete(handle as ReturnType<typeof setTimeout>);
  }
  get pending(): number {
    return this.handles.size;
  }
  crash(): void {
    this.dead = true;
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
  }
}

/** Browser-side work (message delivery, lock grants) runs on its own fake timer, as a task. */
const task = (fn: () => void) => setTimeout(fn, 0);

interface LockRequest {
  tabId: string;
  callback: (lock: unknown) => Promise<void> | void;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Exclusive Web Locks, FIFO per name, released by the "browser" when a tab dies. */
export class LockHub {
  private readonly held = new Map<string, LockRequest>();
  private readonly queues = new Map<string, LockRequest[]>();
  requests = 0;

  locksFor(tabId: string): TabLocks {
    return {
      request: (name, options, callback) =>
        new Promise((resolve, reject) => {
          this.requests++;
          const request: LockRequest = { tabId, callback, resolve, reject, signal: options.signal };
          if (options.signal?.aborted) return reject(new DOMException('aborted', 'AbortError'));
          if (options.signal) {
            request.onAbort = () => {
              const queue = this.queues.get(name) ?? [];
              const at = queue.indexOf(request);
              if (at < 0) return;
              queue.splice(at, 1);
              reject(new DOMException('aborted', 'AbortError'));
            };
            options.signal.addEventListener('abort', request.onAbort);
          }
          const queue = this.queues.get(name) ?? [];
          queue.push(request);
          this.queues.set(name, queue);
          task(() => this.grant(name));
        }),
    };
  }

  private grant(name: string): void {
    if (this.held.has(name)) return;
    const queue = this.queues.get(name) ?? [];
    const next = queue.shift();
    if (!next) return;
    if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
    this.held.set(name, next);
    Promise.resolve()
      .then(() => next.callback({ name, mode: 'exclusive' }))
      .then(
        (value) => this.release(name, next, () => next.resolve(value)),
        (error) => this.release(name, next, () => next.reject(error)),
      );
  }

  private release(name: string, request: LockRequest, settle: () => void): void {
    if (this.held.get(name) !== request) return; // dropped by a crash already
    this.held.delete(name);
    settle();
    task(() => this.grant(name));
  }

  /** The tab's process is gone: its locks are released, its requests forgotten. */
  dropTab(tabId: string): void {
    for (const [name, request] of this.held) {
      if (request.tabId !== tabId) continue;
      this.held.delete(name);
      task(() => this.grant(name));
    }
    for (const queue of this.queues.values()) {
      for (let i = queue.length - 1; i >= 0; i--) if (queue[i]?.tabId === tabId) queue.splice(i, 1);
    }
  }

  holder(name: string): string | null {
    return this.held.get(name)?.tabId ?? null;
  }

  /** Held + waiting requests of a tab. */
  openFor(tabId: string): number {
    let count = 0;
    for (const request of this.held.values()) if (request.tabId === tabId) count++;
    for (const queue of this.queues.values()) for (const request of queue) if (request.tabId === tabId) count++;
    return count;
  }
}

interface HubChannel {
  tabId: string;
  name: string;
  listeners: Set<(event: MessageEvent) => void>;
  closed: boolean;
}

/** BroadcastChannel: structured-cloned, delivered as a task to every other open channel of the name. */
export class ChannelHub {
  private readonly channels = new Set<HubChannel>();
  readonly sent: Array<{ from: string; name: string; data: unknown }> = [];
  /** Messages this returns true for are lost on the way (recorded as sent, delivered to nobody). */
  lose: (data: unknown) => boolean = () => false;

  ctorFor(tabId: string): TabBroadcastChannelCtor {
    const hub = this;
    return class FakeBroadcastChannel {
      private readonly entry: HubChannel;
      constructor(name: string) {
        this.entry = { tabId, name, listeners: new Set(), closed: false };
        hub.channels.add(this.entry);
      }
      postMessage(message: unknown): void {
        if (this.entry.closed) throw new DOMException('closed', 'InvalidStateError');
        hub.post(this.entry, structuredClone(message));
      }
      addEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
        this.entry.listeners.add(listener);
      }
      removeEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
        this.entry.listeners.delete(listener);
      }
      close(): void {
        this.entry.closed = true;
        hub.channels.delete(this.entry);
      }
    };
  }

  post(from: HubChannel, data: unknown): void {
    this.sent.push({ from: from.tabId, name: from.name, data });
    if (this.lose(data)) return;
    for (const channel of this.channels) {
      if (channel === from || channel.name !== from.name) continue;
      task(() => {
        if (channel.closed) return;
        for (const listener of [...channel.listeners]) listener({ data: structuredClone(data) } as MessageEvent);
      });
    }
  }

  /** A raw post from outside any tab (a foreign script on the same channel name). */
  inject(name: string, data: unknown): void {
    this.post({ tabId: 'foreign', name, listeners: new Set(), closed: false }, data);
  }

  names(): string[] {
    return [...new Set([...this.channels].map((c) => c.name))];
  }

  dropTab(tabId: string): void {
    for (const channel of [...this.channels]) if (channel.tabId === tabId) this.close(channel);
  }

  private close(channel: HubChannel): void {
    channel.closed = true;
    this.channels.delete(channel);
  }

  /** Open channels + listeners of a tab. */
  openFor(tabId: string): number {
    let count = 0;
    for (const channel of this.channels) if (channel.tabId === tabId) count += 1 + channel.listeners.size;
    return count;
  }
}

/**
 * One origin's localStorage. Reads see the shared value; a write becomes visible after
 * `writeDelayMs` (0: at once), in the order written, which lets two tabs race on a claim the
 * way separate renderer processes can. Every other tab gets a `storage` event as a task.
 */
export class StorageHub {
  private readonly values = new Map<string, string>();
  private readonly listeners = new Map<string, Set<(event: TabStorageEvent) => void>>();
  constructor(private readonly writeDelayMs = 0) {}

  storageFor(tabId: string): TabStorage {
    return {
      getItem: (key) => this.values.get(key) ?? null,
      setItem: (key, value) => this.write(tabId, key, String(value)),
      removeItem: (key) => this.write(tabId, key, null),
    };
  }

  /** Writes as another program would (no tab is the author). */
  write(tabId: string, key: string, value: string | null): void {
    const apply = () => {
      if (value === null) this.values.delete(key);
      else this.values.set(key, value);
      for (const [listenerTab, set] of this.listeners) {
        if (listenerTab === tabId) continue;
        for (const listener of set) task(() => set.has(listener) && listener({ key, newValue: value }));
      }
    };
    if (this.writeDelayMs === 0) apply();
    else setTimeout(apply, this.writeDelayMs);
  }

  read(key: string): string | null {
    return this.values.get(key) ?? null;
  }

  onStorageFor(tabId: string): (handler: (event: TabStorageEvent) => void) => () => void {
    return (handler) => {
      const set = this.listeners.get(tabId) ?? new Set();
      set.add(handler);
      this.listeners.set(tabId, set);
      return () => set.delete(handler);
    };
  }

  dropTab(tabId: string): void {
    this.listeners.delete(tabId);
  }

  openFor(tabId: string): number {
    return this.listeners.get(tabId)?.size ?? 0;
  }
}

export class FakePage implements TabPage {
  private readonly attention = new Set<() => void>();
  private readonly unload = new Set<() => void>();
  constructor(
    public visible = false,
    public focused = false,
  ) {}
  isVisible(): boolean {
    return this.visible;
  }
  hasFocus(): boolean {
    return this.focused;
  }
  onAttention(handler: () => void): () => void {
    this.attention.add(handler);
    return () => this.attention.delete(handler);
  }
  onUnload(handler: () => void): () => void {
    this.unload.add(handler);
    return () => this.unload.delete(handler);
  }
  set(visible: boolean, focused: boolean): void {
    this.visible = visible;
    this.focused = focused;
    for (const handler of [...this.attention]) handler();
  }
  close(): void {
    for (const handler of [...this.unload]) handler();
  }
  get listeners(): number {
    return this.attention.size + this.unload.size;
  }
}

export interface Logged {
  level: keyof Logger;
  message: string;
  context?: Record<string, unknown>;
}

export function recordingLogger(into: Logged[]): Logger {
  const at = (level: keyof Logger) => (message: string, context?: Record<string, unknown>) => void into.push({ level, message, context });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface World {
  locks?: LockHub;
  channels?: ChannelHub;
  storage?: StorageHub;
  /** Use storage events as the channel even when a ChannelHub exists. */
  storageChannel?: boolean;
}

/** One simulated tab: its session plus what the app would have observed in it. */
export class SimTab {
  readonly clock = new TabClock();
  readonly page: FakePage;
  readonly logs: Logged[] = [];
  readonly displayed: Popup[] = [];
  readonly states: Shared[] = [];
  readonly roles: TabRole[] = [];
  /** Every lead() this tab ran: its context and whether it is still running. */
  readonly terms: Array<{ ctx: LeadContext<Popup, Shared>; running: boolean; startedAt: number }> = [];
  readonly session: TabSession;

  constructor(
    readonly world: World,
    readonly id: string,
    readonly key = 'acc1:user1',
    page?: FakePage,
    extra: Partial<TabSessionDeps<Popup, Shared>> = {},
  ) {
    this.page = page ?? new FakePage();
    const tab = this;
    this.session = createTabSession<Popup, Shared>({
      key,
      tabId: id,
      clock: this.clock,
      logger: recordingLogger(this.logs),
      locks: world.locks?.locksFor(id),
      AbortController,
      BroadcastChannel: world.storageChannel ? undefined : world.channels?.ctorFor(id),
      storage: world.storage?.storageFor(id),
      onStorage: world.storage?.onStorageFor(id),
      // lease.js's code, handed over at once (the widget fetches it: src/platform/widget-part.ts).
      leaseElection: (loaded) => loaded(leaseElection),
      page: this.page,
      parsePopup: checkPopup,
      parseState: checkShared,
      lead(ctx) {
        const term = { ctx, running: true, startedAt: tab.clock.now() };
        tab.terms.push(term);
        return { stop: () => void (term.running = false) };
      },
      display: (popup) => void this.displayed.push(popup),
      onState: (state) => void this.states.push(state),
      onRole: (role) => void this.roles.push(role),
      ...extra,
    });
  }

  /** Whether lead() is running here now. */
  get leading(): boolean {
    return this.terms.some((t) => t.running);
  }

  get ctx(): LeadContext<Popup, Shared> {
    const term = this.terms.find((t) => t.running);
    if (!term) throw new Error(`${this.id} is not leading`);
    return term.ctx;
  }

  /** The tab's process dies: no unload, no goodbye; the browser drops its locks and channels. */
  crash(): void {
    this.clock.crash();
    for (const term of this.terms) term.running = false;
    this.world.locks?.dropTab(this.id);
    this.world.channels?.dropTab(this.id);
    this.world.storage?.dropTab(this.id);
  }

  /** What this tab still holds open (timers, listeners, channels, locks). */
  openResources(): number {
    return (
      this.clock.pending +
      this.page.listeners +
      (this.world.locks?.openFor(this.id) ?? 0) +
      (this.world.channels?.openFor(this.id) ?? 0) +
      (this.world.storage?.openFor(this.id) ?? 0)
    );
  }
}

export const popup = (name: string): Popup => ({ header: 'Incoming call', text: name, date: 1_700_000_000 });

export const state = (calls: string[]): Shared => ({ calls });
