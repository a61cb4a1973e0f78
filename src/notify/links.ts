/**
 * Every link and element the notifier hands to Kommo, built only from numeric ids and
 * http(s) recording URLs. Card links carry `js-navigate-link`, the class Kommo's own markup
 * uses so the single-page app navigates in place instead of reloading the page (a reload
 * would drop the widget's call feed connection).
 */
import type { CrmEntity, EntityType, LookupResult, NormalizedNumber } from '../lookup/types';
import { newContactUrl } from '../lookup';
import type { CompletedCall } from './types';
import { escapeHtml } from './escape';
import { HTTP_SCHEMES, parseUrl } from '../protocol/url';

const SECTION: Record<EntityType, string> = {
  contact: 'contacts',
  lead: 'leads',
  company: 'companies',
  customer: 'customers',
};

const CARD_PATH = /^\/(contacts|companies|leads|customers)\/detail\/[1-9]\d*$/;

function isEntityId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0;
}

/** The card's path, or null when neither `url` nor the id can make a safe one. */
export function cardPath(entity: Pick<CrmEntity, 'id' | 'type' | 'url'>): string | null {
  const section = Object.prototype.hasOwnProperty.call(SECTION, entity.type) ? SECTION[entity.type] : undefined;
  if (section === undefined) return null;
  // The lookup builds `url` from the numeric id already; it is re-checked, not trusted.
  if (typeof entity.url === 'string' && CARD_PATH.test(entity.url) && entity.url.startsWith(`/${section}/`)) return entity.url;
  return isEntityId(entity.id) ? `/${section}/detail/${entity.id}` : null;
}

/** Kommo's "new contact" form with the number filled in (the lookup module owns the route). */
export function newContactPath(number: NormalizedNumber): string {
  return newContactUrl(number);
}

/** An in-app anchor; `href` must come from `cardPath`/`newContactPath`, `labelHtml` be escaped. */
export function navigateLink(href: string, labelHtml: string): string {
  return `<a href="${escapeHtml(href)}" class="js-navigate-link">${labelHtml}</a>`;
}

/** The entity's name linked to its card, or just the escaped name when no safe link exists. */
export function entityLink(entity: CrmEntity): string {
  const label = escapeHtml(entity.name);
  const path = cardPath(entity);
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
  if (!target || !isEntityId(target.id)) return undefined;
  if (target.type === 'contact' || target.type === 'lead' || target.type === 'company') return { id: target.id, type: target.type };
  return undefined;
}
