/**
 * The browser's Web Notifications API as the core's `DesktopNotifications`
 * (https://developer.mozilla.org/docs/Web/API/Notification), feature-detected: without
 * `Notification` (or where touching it throws) the permission is `unsupported`, nothing is shown
 * and nothing is asked. Nothing here asks on its own: `request()` runs only from a click, the
 * pop-up's link (below) or the settings button (desktop-permission.ts).
 */
import { DESKTOP_OFFER_ATTRIBUTE } from '../notify/desktop-link';
import type { DesktopNotifications, DesktopPermission } from '../notify/desktop-types';

/** The slice of `Notification` used; `requestPermission` also takes a callback in older Safari. */
interface NotificationApi {
  new (title: string, options?: NotificationOptions & { requireInteraction?: boolean }): Pick<Notification, 'close' | 'onclick' | 'onclose'>;
  readonly permission: string;
  requestPermission(callback?: (permission: string) => void): Promise<string> | void;
}

export interface DesktopWindow {
  Notification?: unknown;
  document: Document;
  focus(): void;
}

function notificationApi(win: DesktopWindow): NotificationApi | null {
  try {
    return typeof win.Notification === 'function' ? (win.Notification as NotificationApi) : null;
  } catch {
    return null;
  }
}

const permissionOf = (api: NotificationApi | null): DesktopPermission => {
  const value = api?.permission;
  return value === 'granted' || value === 'denied' || value === 'default' ? value : 'unsupported';
};

/** `Notification.permission` of this window. */
export function desktopPermission(win: DesktopWindow): DesktopPermission {
  return permissionOf(notificationApi(win));
}

/** Asks the user while the browser has not been asked; call it only from a click (a user gesture). */
export function requestDesktopPermission(win: DesktopWindow): Promise<DesktopPermission> {
  const api = notificationApi(win);
  if (permissionOf(api) !== 'default') return Promise.resolve(permissionOf(api));
  return new Promise((resolve) => {
    const answered = () => resolve(desktopPermission(win));
    try {
      const asked = api!.requestPermission(answered);
      if (asked && typeof asked.then === 'function') asked.then(answered, answered);
    } catch {
      answered();
    }
  });
}

/** `icon`: the widget's logo, where Kommo serves the widget's files. */
export function browserDesktopNotifications(win: DesktopWindow, icon?: string): DesktopNotifications {
  return {
    permission: () => desktopPermission(win),
    request: () => requestDesktopPermission(win),
    show(note, on) {
      const api = notificationApi(win);
      if (permissionOf(api) !== 'granted') return null;
      try {
        // requireInteraction: the notification stays while the phone rings; the widget closes it.
        const shown = new api!(note.title, { body: note.body, tag: note.tag, requireInteraction: true, ...(icon ? { icon } : {}) });
        shown.onclick = (event) => {
          event.preventDefault();
          on.click();
        };
        shown.onclose = () => on.close();
        return { close: () => shown.close() };
      } catch {
        // Chrome on Android has no page notifications (only a service worker's): nothing to show.
        return null;
      }
    },
    open(path) {
      try {
        win.focus();
      } catch {
        // A browser that refuses focus still gets the card opened.
      }
      if (path === null) return;
      // Kommo's single-page app navigates on a click on `.js-navigate-link` (as the pop-up's own
      // links do); a host that does not follows the anchor, and the card opens all the same.
      const doc = win.document;
      const anchor = doc.createElement('a');
      anchor.href = path;
      anchor.className = 'js-navigate-link';
      anchor.hidden = true;
      (doc.body ?? doc.documentElement).appendChild(anchor);
      anchor.click();
      anchor.remove();
    },
  };
}

/**
 * The pop-up's "Show calls when Kommo is in the background" (src/notify/desktop-link.ts), in
 * every tab: a click (or Enter, Space) asks at once, from the user gesture, and once the browser
 * has an answer the offers go. Returns the undo.
 */
export function listenForDesktopOffers(doc: Document, desktop: DesktopNotifications): () => void {
  const onClick = (event: Event) => {
    // The offer is a button: Enter and Space press it as a click does (both count as a user gesture).
    if (event.type === 'keydown' && (event as KeyboardEvent).key !== 'Enter' && (event as KeyboardEvent).key !== ' ') return;
    const target = event.target as Element | null;
    const link = typeof target?.closest === 'function' ? target.closest(`[${DESKTOP_OFFER_ATTRIBUTE}]`) : null;
    if (link === null) return;
    event.preventDefault();
    void desktop.request().then((permission) => {
      if (permission === 'default') return;
      for (const offer of Array.from(doc.querySelectorAll(`[${DESKTOP_OFFER_ATTRIBUTE}]`))) offer.remove();
    });
  };
  // Capture: heard before any handler of Kommo's pop-up can stop the click on its way up.
  for (const type of ['click', 'keydown']) doc.addEventListener(type, onClick, true);
  return () => {
    for (const type of ['click', 'keydown']) doc.removeEventListener(type, onClick, true);
  };
}
