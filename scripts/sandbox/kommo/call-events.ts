/**
 * What Kommo itself shows for `notify_mode: events`: the widget POSTs /api/v2/events and Kommo
 * matches the number and files a call notification in the bell of each user the event names,
 * linked to the card it found, or offering a new contact
 * (https://developers.kommo.com/docs/call-event). Kommo's server does that; the double watches
 * the page's own fetch for that request and shows the simulated CRM's answer
 * (scripts/crm/crm-server.ts: the matched element per item). Only the tab that posted sees it,
 * where Kommo would tell every tab of those users (docs/sandbox.md).
 */
import { cardPath } from '../../../src/lookup/card-url';
import type { EntityType } from '../../../src/lookup/types';
import { ELEMENT_TYPE } from '../../crm/account';
import type { CardType } from '../entities';
import { element } from './dom';
import { fetchJson } from './fetch-json';
import { hostWindow } from './page-globals';

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

function isEventsPost(input: RequestInfo | URL, init: RequestInit | undefined): boolean {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, location.href);
  const method = (init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')).toUpperCase();
  return method === 'POST' && url.origin === location.origin && /^\/api\/v2\/events\/?$/.test(url.pathname);
}

/** The users each `add` item names, read from the request the widget sent (the CRM refused it without them). */
function addressees(body: BodyInit | null | undefined): string[][] {
  try {
    const add = (JSON.parse(String(body)) as { add?: Array<{ users?: unknown }> }).add ?? [];
    return add.map((item) => (Array.isArray(item.users) ? item.users.map(String) : []));
  } catch {
    return [];
  }
}

/** The notification's entry: who called, and the card Kommo found (with its name) or "Create contact". */
async function noticeView(item: CallEventItem): Promise<HTMLLIElement> {
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
    element('div', { class: 'bell-meta' }, `Kommo's call notification (POST /api/v2/events) \u00b7 ${new Date().toLocaleTimeString()}`),
    element('div', { class: 'bell-links' }, link),
  );
}

async function fileNotices(board: NoticeBoard, body: BodyInit | null | undefined, response: Response): Promise<void> {
  const items = ((await response.json()) as { _embedded?: { items?: CallEventItem[] } })._embedded?.items ?? [];
  const to = addressees(body);
  const me = String(hostWindow().APP?.constant('user')?.id ?? '');
  for (const [i, item] of items.entries()) {
    if (to[i]?.includes(me)) board.notice(item, await noticeView(item));
  }
}

/** From now on, every accepted POST /api/v2/events of this page files Kommo's notifications on `board`. */
export function watchCallEvents(board: NoticeBoard): void {
  const page = hostWindow();
  const send = page.fetch.bind(page);
  page.fetch = async (input, init) => {
    const response = await send(input, init);
    if (response.ok && isEventsPost(input, init)) {
      // The widget reads its own copy; a notice that cannot be made is only the double's loss.
      fileNotices(board, init?.body, response.clone()).catch(() => undefined);
    }
    return response;
  };
}
