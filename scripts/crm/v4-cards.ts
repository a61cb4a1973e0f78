/**
 * GET /api/v4/{leads|contacts|companies|customers}/{id}: one card, `{id, name,
 * responsible_user_id, created_at}`. A missing id is answered 404 (Kommo answers some missing
 * ids with 204; the `missingCard: 204` fault gives that instead). Pure.
 */
import type { CrmAccount, CrmDeal, CrmPerson } from './account';
import { NO_CONTENT, ok, problem } from './v4-answer';
import type { V4Answer } from './v4-answer';
import type { CardType } from './timeline';

export function findCard(account: CrmAccount, type: CardType, id: number): CrmPerson | CrmDeal | undefined {
  const cards: Array<CrmPerson | CrmDeal> = type === 'leads' ? account.leads : type === 'contacts' ? account.contacts : type === 'companies' ? account.companies : account.customers;
  return cards.find((card) => card.id === id);
}

export function cardJson(type: CardType, card: CrmPerson | CrmDeal): Record<string, unknown> {
  return {
    id: card.id,
    name: card.name,
    responsible_user_id: card.responsibleUserId,
    created_at: card.createdAt,
    _links: { self: { href: `/api/v4/${type}/${card.id}` } },
  };
}

export function cardAnswer(account: CrmAccount, type: CardType, id: number, missing: 204 | 404 = 404): V4Answer {
  const card = findCard(account, type, id);
  if (card) return ok(cardJson(type, card));
  return missing === 204 ? NO_CONTENT : problem(404, `${type} ${id} not found`);
}
