/**
 * The browser side of `TabSessionDeps`, read from a window the caller passes in (the platform
 * layer passes `window`; nothing here reads globals). Each API is feature-detected on its own
 * and dropped when absent or when touching it throws (storage disabled, sandboxed frames).
 */
import type { TabBroadcastChannelCtor, TabLocks, TabPage, TabSessionDeps, TabStorage, TabStorageEvent } from './types';

export type TabEnvironment = Pick<TabSessionDeps, 'locks' | 'AbortController' | 'BroadcastChannel' | 'storage' | 'onStorage' | 'page'>;

export interface TabWindow {
  navigator?: { locks?: TabLocks };
  BroadcastChannel?: TabBroadcastChannelCtor;
  AbortController?: typeof AbortController;
  localStorage?: TabStorage;
  document: { visibilityState?: string; hasFocus?(): boolean; addEventListener: Document['addEventListener']; removeEventListener: Document['removeEventListener'] };
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

function listen<K extends string>(target: { addEventListener(t: K, h: () => void): void; removeEventListener(t: K, h: () => void): void }, types: K[], handler: () => void): () => void {
  for (const type of types) target.addEventListener(type, handler);
  return () => {
    for (const type of types) target.removeEventListener(type, handler);
  };
}

export function browserTabEnvironment(win: TabWindow): TabEnvironment {
  const storage = readStorage(win);
  const page: TabPage = {
    isVisible: () => win.document.visibilityState !== 'hidden',
    hasFocus: () => (typeof win.document.hasFocus === 'function' ? win.document.hasFocus() : true),
    onAttention(handler) {
      const offWindow = listen(win as never, ['focus', 'blur'], handler);
      const offDocument = listen(win.document as never, ['visibilitychange'], handler);
      return () => {
        offWindow();
        offDocument();
      };
    },
    onUnload: (handler) => listen(win as never, ['pagehide'], handler),
  };
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
    page,
  };
}
