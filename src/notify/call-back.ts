/**
 * The "Call back" link of completed-call notifications and missed-call pop-ups: an anchor the
 * platform's click-to-call catches anywhere in the page (src/platform/click-to-call.ts) by its
 * `data-telephony-dial` attribute. It carries the number the lookup normalised (E.164), an
 * internal extension, or the PBX's own digits when the lookup never answered; none for a hidden
 * or invalid number, nor for one that names no country (`84951234567` with country US): the
 * dialer would refuse it anyway, asking for the country code, which a link cannot type.
 */
import type { CallEvent } from '../feed/types';
import type { LookupResult } from '../lookup/types';
import { escapeHtml } from '../core/html';
import type { NotifyStrings } from './strings';

export const DIAL_ATTRIBUTE = 'data-telephony-dial';

/** What a PBX number may look like to be offered for dialling unnormalised (the dialer normalises it again). */
const DIALABLE_RAW = /^\+?[\d\s().-]{1,32}$/;

export function callBackNumber(call: CallEvent, lookup: LookupResult | null): string | null {
  if (lookup === null) {
    const raw = typeof call.phone === 'string' ? call.phone.trim() : '';
    return DIALABLE_RAW.test(raw) && /\d/.test(raw) ? raw : null;
  }
  if (lookup.kind === 'internal') return lookup.extension;
  if (lookup.kind === 'invalid' || !lookup.number.hasCountry) return null;
  return lookup.number.e164;
}

/** The link's HTML, or '' when there is nothing to dial. */
export function callBackLink(call: CallEvent, lookup: LookupResult | null, strings: NotifyStrings): string {
  const number = callBackNumber(call, lookup);
  if (number === null) return '';
  return `<a href="#" class="js-telephony-dial" ${DIAL_ATTRIBUTE}="${escapeHtml(number)}">${escapeHtml(strings.call_back)}</a>`;
}
