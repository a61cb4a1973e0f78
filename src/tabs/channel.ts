/**
 * The wire between the tabs of one account+user: BroadcastChannel where present, else
 * `storage` events (a write to localStorage fires `storage` in every other tab of the origin).
 * Neither delivers to the sending tab.
 */
import type { Logger } from '../core/logger';
import type { TabMessage } from './protocol';
import { channelName, messageStorageKey } from './timing';
import type { TabBroadcastChannelCtor, TabStorage, TabStorageEvent } from './types';

export interface TabChannel {
  readonly kind: 'broadcast' | 'storage';
  post(message: TabMessage): void;
  /** Raw data from another tab, still to be validated. */
  onMessage(handler: (raw: unknown) => void): () => void;
  close(): void;
}

export interface TabChannelDeps {
  key: string;
  tabId: string;
  logger: Logger;
  BroadcastChannel?: TabBroadcastChannelCtor;
  storage?: TabStorage;
  onStorage?: (handler: (event: TabStorageEvent) => void) => () => void;
}

/** Null when the browser has neither: the tab then works alone. */
export function openTabChannel(deps: TabChannelDeps): TabChannel | null {
  if (deps.BroadcastChannel) {
    try {
      return broadcastChannel(new deps.BroadcastChannel(channelName(deps.key)), deps.logger);
    } catch (error) {
      deps.logger.warn('tabs: BroadcastChannel unavailable', { error: String(error) });
    }
  }
  if (deps.storage && deps.onStorage) return storageChannel(deps.storage, deps.onStorage, deps.key, deps.tabId, deps.logger);
  return null;
}

function broadcastChannel(channel: InstanceType<TabBroadcastChannelCtor>, logger: Logger): TabChannel {
  const unsubscribers = new Set<() => void>();
  return {
    kind: 'broadcast',
    post(message) {
      try {
        channel.postMessage(message);
      } catch (error) {
        logger.warn('tabs: could not post to the other tabs', { type: message.type, error: String(error) });
      }
    },
    onMessage(handler) {
      const listener = (event: MessageEvent) => handler(event.data);
      channel.addEventListener('message', listener);
      const off = () => {
        if (!unsubscribers.delete(off)) return;
        channel.removeEventListener('message', listener);
      };
      unsubscribers.add(off);
      return off;
    },
    close() {
      for (const off of [...unsubscribers]) off();
      channel.close();
    },
  };
}

function storageChannel(
  storage: TabStorage,
  onStorage: (handler: (event: TabStorageEvent) => void) => () => void,
  key: string,
  tabId: string,
  logger: Logger,
): TabChannel {
  const storageKey = messageStorageKey(key);
  const unsubscribers = new Set<() => void>();
  // Writing the value already there fires no event: a counter makes every write new.
  let sequence = 0;
  return {
    kind: 'storage',
    post(message) {
      try {
        storage.setItem(storageKey, JSON.stringify({ n: `${tabId}:${++sequence}`, m: message }));
        // The record only carries the event (each write fires its own, with its value): removed at
        // once, so nothing a message carries (the leader's ticket among its state) stays behind.
        storage.removeItem(storageKey);
      } catch (error) {
        logger.warn('tabs: could not write the message to localStorage', { type: message.type, error: String(error) });
      }
    },
    onMessage(handler) {
      const off = onStorage((event) => {
        if (event.key !== storageKey || event.newValue === null) return;
        let envelope: unknown;
        try {
          envelope = JSON.parse(event.newValue);
        } catch {
          logger.warn('tabs: dropped a message that is not JSON');
          return;
        }
        handler(typeof envelope === 'object' && envelope !== null ? (envelope as { m?: unknown }).m : envelope);
      });
      const unsubscribe = () => {
        if (!unsubscribers.delete(unsubscribe)) return;
        off();
      };
      unsubscribers.add(unsubscribe);
      return unsubscribe;
    },
    close() {
      for (const off of [...unsubscribers]) off();
    },
  };
}
