/** Builds the core's `PageEnv` from the browser's `window` and `document`. */
import type { PageEnv } from '../app/page';

export function browserPage(win: Window): PageEnv {
  const doc = win.document;
  const listen = (target: EventTarget, type: string, handler: () => void): (() => void) => {
    target.addEventListener(type, handler);
    return () => target.removeEventListener(type, handler);
  };
  return {
    protocol: win.location.protocol,
    origin: win.location.origin,
    isVisible: () => doc.visibilityState !== 'hidden',
    hasFocus: () => (typeof doc.hasFocus === 'function' ? doc.hasFocus() : true),
    onVisibilityChange: (handler) => listen(doc, 'visibilitychange', handler),
    onOnline: (handler) => listen(win, 'online', handler),
    onAttention(handler) {
      const offs = [listen(win, 'focus', handler), listen(win, 'blur', handler), listen(doc, 'visibilitychange', handler)];
      return () => offs.forEach((off) => off());
    },
    // pagehide fires on close and on bfcache entry; unload is unreliable and blocks bfcache.
    onUnload: (handler) => listen(win, 'pagehide', handler),
  };
}

/** Script-mode polling: a `<script>` tag the feed removes after each answer. */
export function scriptLoader(doc: Document): (url: string, onError?: () => void) => { remove(): void } {
  return (url, onError) => {
    const script = doc.createElement('script');
    script.src = url;
    script.async = true;
    // A refused or missing script: back off now instead of waiting for the 10 s stall timeout.
    if (onError) script.onerror = () => onError();
    (doc.head || doc.documentElement).appendChild(script);
    return { remove: () => script.remove() };
  };
}
