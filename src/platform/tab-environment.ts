/**
 * The browser side of `TabSessionDeps` (src/tabs), read from the window: Web Locks,
 * BroadcastChannel, localStorage and its storage event. Each API is feature-detected on its own
 * and dropped when absent or when touching it throws (storage disabled, sandboxed frames), so
 * the tab layer falls back to a lease, storage events, or working alone. The page's attention
 * and lifetime come from `browserPage` (./page.ts).
 */
import type { TabBroadcastChannelCtor, TabEnvironment, TabLocks, TabStorage, TabStorageEvent } from '../tabs/types';

export interface TabWindow {
  navigator?: { locks?: TabLocks };
  BroadcastChannel?: TabBroadcastChannelCtor;
  AbortController?: typeof AbortController;
  localStorage?: TabStorage;
  addEventListener: Window['addEventListener'];
  removeEventListener: Window['removeEventListener'];
}

function readStorage(win: TabWindow): TabStorage | undefined {
  try {
    const storage = win.localStorage;
    return storage && typeof storage.getItem === 'function' ? storage : undefined;
  } catch {
    return undefined; // SecurityError: storage disabled for this origin
  }
}

function readLocks(win: TabWindow): TabLocks | undefined {
  try {
    const locks = win.navigator?.locks;
    return locks && typeof locks.request === 'function' ? locks : undefined;
  } catch {
    return undefined;
  }
}

export function browserTabEnvironment(win: TabWindow): TabEnvironment {
  const storage = readStorage(win);
  return {
    locks: readLocks(win),
    AbortController: typeof win.AbortController === 'function' ? win.AbortController : undefined,
    BroadcastChannel: typeof win.BroadcastChannel === 'function' ? win.BroadcastChannel : undefined,
    storage,
    onStorage: storage
      ? (handler) => {
          const listener = (event: Event) => handler(event as unknown as TabStorageEvent);
          win.addEventListener('storage', listener);
          return () => win.removeEventListener('storage', listener);
        }
      : undefined,
  };
}
