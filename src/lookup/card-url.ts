/**
 * Card links on the account's own origin (paths only, so they work on any Kommo domain).
 * https://developers.kommo.com/docs/caller-id (the pop-up links to the card) and Kommo's card
 * routes: /contacts/detail/ID, /companies/detail/ID, /leads/detail/ID, /customers/detail/ID.
 * Built from the numeric id alone: nothing from an API answer is pasted into a URL. The one
 * mapping from entity to card: the lookup fills `CrmEntity.url` with it, the notifier links with it.
 */
import type { EntityType, NormalizedNumber } from './types';
import { storedNumber } from './stored-number';

const CARD_PATHS: Record<EntityType, string> = {
  contact: '/contacts/detail/',
  company: '/companies/detail/',
  lead: '/leads/detail/',
  customer: '/customers/detail/',
};

/** What Kommo numbers its cards with: a positive safe integer. */
export function isCardId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0;
}

/** The card's path, or null when the type or id names no card (values from outside are checked, not trusted). */
export function cardPath(type: EntityType, id: number): string | null {
  const base = Object.prototype.hasOwnProperty.call(CARD_PATHS, type) ? CARD_PATHS[type] : undefined;
  return base !== undefined && isCardId(id) ? `${base}${id}` : null;
}

/** Throws a RangeError for a non-numeric id or unknown type: a programming error, not input. */
export function cardUrl(type: EntityType, id: number): string {
  const path = cardPath(type, id);
  if (path === null) throw new RangeError(`cardUrl: no card for type ${String(type)} and id ${String(id)}`);
  return path;
}

/** "Create contact" with the number filled in: `/contacts/add/?phone=%2B18305803077` (digits as sent when it names no country). */
export function newContactUrl(number: NormalizedNumber): string {
  return `/contacts/add/?phone=${encodeURIComponent(storedNumber(number))}`;
}
