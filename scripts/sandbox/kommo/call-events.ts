/**
 * What Kommo itself shows for `notify_mode: events`: the widget POSTs /api/v2/events and Kommo
 * matches the number and files a call notification in the bell of each user the event names,
 * linked to the card it found, or offering a new contact, in every tab of those users
 * (https://developers.kommo.com/docs/call-event). Kommo's server does that; here the sandbox
 * server keeps what the simulated CRM answered (scripts/sandbox/call-notices.ts) and every tab
 * fetches its user's new notifications and shows them as they are.
 */
import { cardPath } from '../../../src/lookup/card-url';
import type { EntityType } from '../../../src/lookup/types';
import { ELEMENT_TYPE } from '../../crm/account';
import type { NoticesAnswer } from '../call-notices';
import type { CardType } from '../entities';
import { element } from './dom';
import { fetchJson } from './fetch-json';

/** One item of Kommo's answer: `element_type` / `element_id` only when a card matched. */
export interface CallEventItem {
  uid?: string;
  phone_number: string;
  element_type?: number;
  element_id?: number;
}

/** Where the double files what Kommo shows: the bell (bell.ts). */
export interface NoticeBoard {
  notice(record: CallEventItem, view: HTMLLIElement): void;
}

const ENTITY_OF_ELEMENT = new Map<number, EntityType>(Object.entries(ELEMENT_TYPE).map(([name, type]) => [type, name as EntityType]));
const CARD_TYPE: Record<EntityType, CardType> = { contact: 'contacts', lead: 'leads', company: 'companies', customer: 'customers' };

/** The notification's entry: who called, and the card Kommo found (with its name) or "Create contact". */
async function noticeView(item: CallEventItem, at: number): Promise<HTMLLIElement> {
  const entity = item.element_type === undefined ? undefined : ENTITY_OF_ELEMENT.get(item.element_type);
  const card = entity && item.element_id !== undefined ? cardPath(entity, item.element_id) : null;
  let link: HTMLAnchorElement;
  if (entity && card) {
    const named = await fetchJson<{ name: string }>(`/sandbox/entity/${CARD_TYPE[entity]}/${item.element_id}`).catch(() => null);
    link = element('a', { class: 'js-navigate-link', 'data-testid': 'bell-open', href: card }, named?.name || 'Open card');
  } else {
    link = element('a', { class: 'js-navigate-link', 'data-testid': 'bell-create-contact', href: `/contacts/add/?phone=${encodeURIComponent(item.phone_number)}` }, 'Create contact');
  }
  return element(
    'li',
    { class: 'bell-entry bell-call-event', 'data-testid': 'bell-entry', 'data-kind': 'call-event' },
    element('div', { class: 'bell-text', 'data-testid': 'bell-text' }, `Call: ${item.phone_number}`),
    element('div', { class: 'bell-meta' }, `Kommo's call notification (POST /api/v2/events) \u00b7 ${new Date(at).toLocaleTimeString()}`),
    element('div', { class: 'bell-links' }, link),
  );
}

/** How often a tab asks for its user's new notifications (Kommo pushes them; the sandbox polls, like its PBX panel). */
export const NOTICE_POLL_MS = 1000;

/**
 * Every notification Kommo files for `userId` from now on (the sandbox server's, whichever tab's
 * widget posted the event) goes on `board`, in the order filed. Resolves once the tab knows
 * where "from now on" starts; the tab keeps asking for its whole life.
 */
export async function watchCallEvents(board: NoticeBoard, userId: number | string): Promise<void> {
  const user = encodeURIComponent(String(userId));
  let after = (await fetchJson<NoticesAnswer>(`/sandbox/notices?user=${user}`)).last;
  let asking = false;
  const ask = async (): Promise<void> => {
    const { notices } = await fetchJson<NoticesAnswer>(`/sandbox/notices?user=${user}&after=${after}`);
    for (const notice of notices) {
      const item = notice.item as unknown as CallEventItem;
      board.notice(item, await noticeView(item, notice.at));
      after = notice.seq;
    }
  };
  setInterval(() => {
    if (asking) return;
    asking = true;
    // A failed ask is retried on the next tick, from the same place.
    ask()
      .catch(() => undefined)
      .finally(() => {
        asking = false;
      });
  }, NOTICE_POLL_MS);
}
