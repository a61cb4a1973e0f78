/**
 * "Show calls when Kommo is in the background": what the first incoming-call pop-up carries while
 * the browser has not been asked for desktop notifications. Browsers grant the request only from
 * a user gesture, so the page's listener (src/platform/desktop-notifications.ts, in every tab: the
 * pop-up may show in any) asks from the click itself, found by the `data-telephony-desktop`
 * attribute as "Call back" is by its own. An action, not a navigation: a span in the role of a
 * button (no `href`), styled as a link since Kommo's stylesheet knows nothing of it.
 */
import { escapeHtml } from '../core/html';
import type { CallPopup } from './types';

export const DESKTOP_OFFER_ATTRIBUTE = 'data-telephony-desktop';

/** The pop-up with the offer on a line of its own after its text. */
export function withDesktopOffer(popup: CallPopup, label: string): CallPopup {
  const offer = `<span class="js-telephony-desktop" ${DESKTOP_OFFER_ATTRIBUTE}="ask" role="button" tabindex="0" style="text-decoration:underline;cursor:pointer">${escapeHtml(label)}</span>`;
  return { ...popup, text: popup.text === '' ? offer : `${popup.text}<br>${offer}` };
}
