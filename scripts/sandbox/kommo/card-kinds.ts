/**
 * Kommo's card sections as the host knows them: the section's name in the path, the entity
 * type the widget uses, the area `system().area` reports on it, and how the page titles it.
 * Links to cards come from the widget's own cardUrl (src/lookup/card-url.ts), never from here.
 */
import type { EntityType } from '../../../src/lookup/types';
import { CARD_TYPES } from '../entities';
import type { CardType } from '../entities';

export interface CardKind {
  entity: EntityType;
  /** `system().area` on a card and on the section's list (https://developers.kommo.com/docs/script-js#system). */
  cardArea: string;
  listArea: string;
  one: string;
  many: string;
}

export const CARD_KINDS: Record<CardType, CardKind> = {
  contacts: { entity: 'contact', cardArea: 'ccard', listArea: 'clist', one: 'Contact', many: 'Contacts' },
  companies: { entity: 'company', cardArea: 'comcard', listArea: 'clist', one: 'Company', many: 'Companies' },
  leads: { entity: 'lead', cardArea: 'lcard', listArea: 'llist', one: 'Lead', many: 'Leads' },
  customers: { entity: 'customer', cardArea: 'cucard', listArea: 'culist', one: 'Customer', many: 'Customers' },
};

export type Route =
  | { page: 'card'; type: CardType; id: string }
  /** `/contacts/add/?phone=N` (the widget's "Create contact" link); Kommo has it for leads and companies too. */
  | { page: 'new'; type: CardType }
  | { page: 'list'; type: CardType }
  | { page: 'dashboard' }
  | { page: 'settings' };

const SECTION = `(${CARD_TYPES.join('|')})`;
const CARD = new RegExp(`^/${SECTION}/detail/(\\d+)`);
const NEW = new RegExp(`^/${SECTION}/add`);
const LIST = new RegExp(`^/${SECTION}/(list|pipeline)`);

/** The page a path shows, as Kommo's router reads its own URLs. */
export function routeOf(pathname: string): Route {
  const card = CARD.exec(pathname);
  if (card) return { page: 'card', type: card[1] as CardType, id: card[2]! };
  const added = NEW.exec(pathname);
  if (added) return { page: 'new', type: added[1] as CardType };
  const list = LIST.exec(pathname);
  if (list) return { page: 'list', type: list[1] as CardType };
  return /^\/settings/.test(pathname) ? { page: 'settings' } : { page: 'dashboard' };
}

export function areaOf(pathname: string): string {
  const route = routeOf(pathname);
  if (route.page === 'card' || route.page === 'new') return CARD_KINDS[route.type].cardArea;
  if (route.page === 'list') return CARD_KINDS[route.type].listArea;
  return route.page;
}
