/**
 * Card links on the account's own origin (paths only, so they work on any Kommo domain).
 * https://developers.kommo.com/docs/caller-id (the pop-up links to the card) and Kommo's card
 * routes: /contacts/detail/ID, /companies/detail/ID, /leads/detail/ID, /customers/detail/ID.
 * Built from the numeric id alone: nothing from an API answer is pasted into a URL.
 */
import type { EntityType, NormalizedNumber } from './types';

const CARD_PATHS: Record<EntityType, string> = {
  contact: '/contacts/detail/',
  company: '/companies/detail/',
  lead: '/leads/detail/',
  customer: '/customers/detail/',
};

/** Throws a RangeError for a non-numeric id or unknown type: a programming error, not input. */
export function cardUrl(type: EntityType, id: number): string {
  const base = Object.prototype.hasOwnProperty.call(CARD_PATHS, type) ? CARD_PATHS[type] : undefined;
  if (base === undefined) throw new RangeError(`cardUrl: unknown entity type ${String(type)}`);
  if (!Number.isSafeInteger(id) || id <= 0) throw new RangeError(`cardUrl: id must be a positive integer, got ${String(id)}`);
  return `${base}${id}`;
}

/** "Create contact" with the number filled in: `/contacts/add/?phone=%2B18305803077`. */
export function newContactUrl(number: NormalizedNumber): string {
  return `/contacts/add/?phone=${encodeURIComponent(number.e164)}`;
}
