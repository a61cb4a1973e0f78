/**
 * Kommo's phone searches over an in-memory account, as the docs describe them. Pure.
 *
 * `searchByPhone` — GET /api/v2/search/by_phone (https://developers.kommo.com/docs/caller-id):
 *  1. Match on the last SEVEN digits of the query against every phone of every card.
 *  2. Companies first; contacts only when no company matches.
 *  3. Among the matching cards, count the active leads and the (active) customers linked to them.
 *     Exactly one active lead and no customer, or exactly one customer and no active lead: that
 *     lead/customer is returned, with `phone_entity` = the (oldest) matching card linked to it.
 *  4. Otherwise (none, or more than one): the oldest matching card (created_at, then id).
 *  5. Nothing matches: null (the server answers 204).
 * "Connected customer" is read as a customer linked to the card and still active, the same
 * "active lead/customer" wording the call-event page uses.
 *
 * `matchCallEvent` — POST /api/v2/events (https://developers.kommo.com/docs/call-event):
 * the LAST EIGHT digits, contacts first, then companies, same lead/customer rule.
 */
import { ELEMENT_TYPE } from './account';
import type { CrmAccount, CrmDeal, CrmPerson } from './account';

type PersonKind = 'contact' | 'company';
type DealKind = 'lead' | 'customer';

export interface ByPhoneEntity {
  id: number;
  type: 1 | 3;
  name: string;
  responsible_user_id: number;
}

export interface ByPhoneItem {
  id: number;
  type: 1 | 2 | 3 | 12;
  responsible_user_id: number;
  name: string;
  phone_entity?: ByPhoneEntity;
  _links: { self: string; method: 'GET' };
}

export interface ByPhoneBody {
  _links: { self: { href: string; method: 'get' } };
  _embedded: { items: ByPhoneItem[] };
}

export type PhoneMatch =
  | { match: 'card'; kind: PersonKind; card: CrmPerson }
  | { match: 'deal'; kind: DealKind; deal: CrmDeal; holderKind: PersonKind; holder: CrmPerson };

export function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

/** The core of both searches. Null when nothing matches. */
export function matchPhone(account: CrmAccount, query: string, opts: { tailDigits: number; order: PersonKind[] }): PhoneMatch | null {
  const tail = digitsOf(query).slice(-opts.tailDigits);
  if (tail === '') return null;
  for (const kind of opts.order) {
    const cards = (kind === 'company' ? account.companies : account.contacts)
      .filter((card) => card.phones.some((phone) => digitsOf(phone).slice(-opts.tailDigits) === tail))
      .sort(oldestFirst);
    if (cards.length === 0) continue;
    const ids = new Set(cards.map((c) => c.id));
    const linked = (deal: CrmDeal) => deal.active && (kind === 'company' ? deal.companyIds : deal.contactIds).some((id) => ids.has(id));
    const leads = account.leads.filter(linked);
    const customers = account.customers.filter(linked);
    const single: { kind: DealKind; deal: CrmDeal } | undefined =
      leads.length === 1 && customers.length === 0 && leads[0]
        ? { kind: 'lead', deal: leads[0] }
        : customers.length === 1 && leads.length === 0 && customers[0]
          ? { kind: 'customer', deal: customers[0] }
          : undefined;
    if (single) {
      const holderIds = kind === 'company' ? single.deal.companyIds : single.deal.contactIds;
      const holder = cards.find((c) => holderIds.includes(c.id)) as CrmPerson;
      return { match: 'deal', kind: single.kind, deal: single.deal, holderKind: kind, holder };
    }
    return { match: 'card', kind, card: cards[0] as CrmPerson };
  }
  return null;
}

/** The by_phone response body, or null for "no match" (204). */
export function searchByPhone(account: CrmAccount, query: string): ByPhoneBody | null {
  const match = matchPhone(account, query, { tailDigits: 7, order: ['company', 'contact'] });
  if (!match) return null;
  const item: ByPhoneItem =
    match.match === 'card'
      ? {
          id: match.card.id,
          type: ELEMENT_TYPE[match.kind],
          responsible_user_id: match.card.responsibleUserId,
          name: match.card.name,
          _links: { self: `/api/v2/${match.kind === 'company' ? 'companies' : 'contacts'}/?id=${match.card.id}`, method: 'GET' },
        }
      : {
          id: match.deal.id,
          type: ELEMENT_TYPE[match.kind],
          responsible_user_id: match.deal.responsibleUserId,
          name: match.deal.name,
          phone_entity: {
            id: match.holder.id,
            type: ELEMENT_TYPE[match.holderKind],
            name: match.holder.name,
            responsible_user_id: match.holder.responsibleUserId,
          },
          _links: { self: `/api/v2/${match.kind === 'lead' ? 'leads' : 'customers'}/?id=${match.deal.id}`, method: 'GET' },
        };
  return {
    _links: { self: { href: `/api/v2/search/by_phone?phone=${digitsOf(query)}`, method: 'get' } },
    _embedded: { items: [item] },
  };
}

/** POST /api/v2/events matching: what card the notification links to (null: none, Kommo offers a new contact). */
export function matchCallEvent(account: CrmAccount, phoneNumber: string): { element_type: number; element_id: number } | null {
  const match = matchPhone(account, phoneNumber, { tailDigits: 8, order: ['contact', 'company'] });
  if (!match) return null;
  return match.match === 'card'
    ? { element_type: ELEMENT_TYPE[match.kind], element_id: match.card.id }
    : { element_type: ELEMENT_TYPE[match.kind], element_id: match.deal.id };
}

function oldestFirst(a: CrmPerson, b: CrmPerson): number {
  return a.createdAt - b.createdAt || a.id - b.id;
}
