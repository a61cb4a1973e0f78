/**
 * Every link and element the notifier hands to Kommo, built only from numeric ids and
 * http(s) recording URLs. Card links carry `js-navigate-link`, the class Kommo's own markup
 * uses so the single-page app navigates in place instead of reloading the page (a reload
 * would drop the widget's call feed connection).
 */
import type { CrmEntity, LookupResult } from '../lookup/types';
import { cardPath, isCardId } from '../lookup';
import type { CompletedCall } from './types';
import { escapeHtml } from '../core/html';
import { HTTP_SCHEMES, parseUrl } from '../protocol/url';

/** An in-app anchor; `href` must be a card or new-contact path from src/lookup, `labelHtml` be escaped. */
export function navigateLink(href: string, labelHtml: string): string {
  return `<a href="${escapeHtml(href)}" class="js-navigate-link">${labelHtml}</a>`;
}

/**
 * The entity's name linked to its card, or just the escaped name when no safe link exists.
 * The path is rebuilt from type and id rather than taken from `url`: the same mapping the
 * lookup used, so a tampered `url` cannot reach the page.
 */
export function entityLink(entity: CrmEntity): string {
  const label = escapeHtml(entity.name);
  const path = cardPath(entity.type, entity.id);
  return path === null ? label : navigateLink(path, label);
}

/** An absolute http(s) URL without credentials, normalised (quotes and brackets percent-encoded); else undefined. */
export function safeRecordingUrl(raw: string | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  return parseUrl(raw.trim(), { schemes: HTTP_SCHEMES, noCredentials: true })?.href;
}

/**
 * What `add_call`'s `element` points at. Kommo knows contact, lead and company only there
 * (https://developers.kommo.com/docs/call-notification), so a customer maps to the
 * contact/company holding the number; an unknown or unlooked-up caller gets none.
 */
export function callElement(lookup: LookupResult | null): CompletedCall['element'] {
  if (lookup?.kind !== 'found') return undefined;
  const target = lookup.entity.type === 'customer' ? lookup.phoneEntity : lookup.entity;
  if (!target || !isCardId(target.id)) return undefined;
  if (target.type === 'contact' || target.type === 'lead' || target.type === 'company') return { id: target.id, type: target.type };
  return undefined;
}
