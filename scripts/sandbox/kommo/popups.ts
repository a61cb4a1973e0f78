/**
 * Pop-ups at the top right: `show_notification` (its header and text are HTML, as in Kommo:
 * https://developers.kommo.com/docs/call-notification) and the short messages of
 * `show_message` / `show_message_error` (plain text). The layer is the page's `#popups`, or one
 * the double adds when the page has none.
 *
 * As in Kommo, a widget cannot close a call pop-up: `show_notification` returns nothing and
 * `APP.notifications` has no method to hide one (https://developers.kommo.com/docs/add-notifications),
 * so a pop-up outlives a short call. Only the user's × and the display time end it. Kommo's docs
 * name no display time; the double's (`popupMs`) is the sandbox's own, 15 s unless `?popup_ms=N`.
 */
import type { MessageData, NotificationDisplay, PopupData } from './app';
import { element } from './dom';

export interface PopupLayerOptions {
  /** How long a call pop-up stays, ms; without it, until the user closes it. */
  popupMs?: number;
  /** How long a message stays, ms; without it, until removed. */
  toastMs?: number;
}

/** Matches the fade-out in host.css. */
const FADE_MS = 400;

export function createPopupLayer(options: PopupLayerOptions): Pick<NotificationDisplay, 'popup' | 'message'> {
  const layer = (): HTMLElement =>
    document.getElementById('popups') ?? document.body.appendChild(element('div', { id: 'popups', 'data-testid': 'popups', 'aria-live': 'polite' }));

  return {
    popup(data: PopupData) {
      const text = data?.text ?? { header: '', text: '' };
      const header = element('div', { class: 'popup-header', 'data-testid': 'popup-header' });
      const body = element('div', { class: 'popup-text', 'data-testid': 'popup-text' });
      // HTML by Kommo's contract: the widget escapes what it puts in.
      header.innerHTML = String(text.header ?? '');
      body.innerHTML = String(text.text ?? '');
      const close = element('button', { type: 'button', class: 'popup-close', 'aria-label': 'Close' }, '\u00d7');
      const popup = element('div', { class: `popup popup-${data?.type ?? 'call'}`, 'data-testid': 'popup' }, close, header, body);
      close.onclick = () => popup.remove();
      layer().appendChild(popup);
      if (options.popupMs === undefined) return;
      setTimeout(() => {
        popup.classList.add('leaving');
        setTimeout(() => popup.remove(), FADE_MS);
      }, options.popupMs);
    },
    message(data: MessageData, kind: 'message' | 'error') {
      const toast = element(
        'div',
        { class: `popup toast toast-${kind}`, 'data-testid': `toast-${kind}` },
        element('div', { class: 'popup-header', 'data-testid': 'toast-header' }, String(data?.header ?? '')),
        element('div', { class: 'popup-text', 'data-testid': 'toast-text' }, String(data?.text ?? '')),
      );
      layer().appendChild(toast);
      if (options.toastMs !== undefined) setTimeout(() => toast.remove(), options.toastMs);
    },
  };
}
