/**
 * The page under the top bar, by route: card pages at Kommo's paths (with a click-to-call button
 * on each phone), the create-contact form, section lists and the dashboard. Entities come from
 * the sandbox's CRM seed (`/sandbox/entity/...`, scripts/sandbox/entities.ts).
 */
import { cardUrl } from '../../../src/lookup/card-url';
import type { CardEntity, CardType } from '../entities';
import { CARD_KINDS, routeOf } from './card-kinds';
import { renderTimeline } from './card-timeline';
import { byId, element } from './dom';
import { fetchJson } from './fetch-json';
import type { Host } from './host';

export interface Pages {
  /** Shows the page for the current location. */
  render(): void;
}

const DASHBOARD_HTML =
  '<h1>Kommo telephony widget sandbox</h1>' +
  '<p>This page loads <code>/widget/script.js</code> the way Kommo does. The PBX on the right places calls through the relay; the widget looks the caller up in the simulated CRM.</p>' +
  '<ol class="steps">' +
  '<li>Press <b>Ring</b> in the PBX panel: a pop-up names the caller (try the numbers listed under it, or any unknown number).</li>' +
  '<li>Click the name in the pop-up: the card opens.</li>' +
  '<li><b>Answer</b>, then <b>Hang up</b>: the completed call lands under the bell with its duration and recording.</li>' +
  '<li>Switch the user (extension) or the language at the top; open <b>&#9881; Widget</b> for the settings.</li>' +
  '</ol>';

const titleOf = (type: CardType, entity: { id: number | string; name?: string }) => entity.name || `${CARD_KINDS[type].one} #${entity.id}`;

function entityLink(entity: CardEntity): string {
  return cardUrl(CARD_KINDS[entity.type].entity, entity.id);
}

function renderCard(page: HTMLElement, type: CardType, id: string): void {
  const card = element('div', { class: 'card', 'data-testid': 'card', 'data-type': type, 'data-id': id }, element('div', { class: 'muted' }, 'Loading\u2026'));
  page.replaceChildren(card);
  fetchJson<CardEntity>(`/sandbox/entity/${type}/${id}`).then(
    (entity) => {
      card.replaceChildren(
        element('div', { class: 'card-kind' }, `${CARD_KINDS[type].one} #${entity.id}`),
        element('h1', { 'data-testid': 'card-name' }, titleOf(type, entity)),
      );
      const phones = (entity.phones ?? []).map((phone) =>
        element(
          'li',
          {},
          element('span', { class: 'phone' }, phone),
          ' ',
          element('button', { type: 'button', class: 'call-btn', 'data-phone': phone, title: 'Call this number (click-to-call)' }, 'Call'),
        ),
      );
      if (phones.length) card.append(element('h3', {}, 'Phones'), element('ul', { class: 'phones' }, ...phones));
      renderTimeline(card, type, id);
    },
    () => card.replaceChildren(element('h1', { 'data-testid': 'card-missing' }, `No ${CARD_KINDS[type].one.toLowerCase()} #${id} in the sandbox CRM`)),
  );
}

function renderNewContact(page: HTMLElement): void {
  const phone = element('input', { 'data-testid': 'new-contact-phone' });
  phone.value = new URLSearchParams(location.search).get('phone') ?? '';
  page.replaceChildren(
    element(
      'div',
      { class: 'card', 'data-testid': 'new-contact' },
      element('div', { class: 'card-kind' }, 'New contact'),
      element('h1', {}, 'Add contact'),
      element('label', {}, 'Name ', element('input', { placeholder: 'Name' })),
      element('label', {}, 'Phone ', phone),
    ),
  );
}

function renderList(page: HTMLElement, type: CardType): void {
  const list = element('ul', { class: 'entity-list', 'data-testid': 'entity-list' });
  page.replaceChildren(element('h1', {}, CARD_KINDS[type].many), list);
  fetchJson<CardEntity[]>(`/sandbox/entity/${type}`).then(
    (entities) =>
      list.replaceChildren(
        ...entities.map((entity) =>
          element(
            'li',
            {},
            element('a', { class: 'js-navigate-link', href: entityLink(entity) }, titleOf(type, entity)),
            ' ',
            element('span', { class: 'muted' }, (entity.phones ?? []).join(', ')),
          ),
        ),
      ),
    () => undefined, // the list stays empty, as the old page did
  );
}

function renderDashboard(page: HTMLElement, host: Host, extension: string): void {
  page.innerHTML = DASHBOARD_HTML;
  page.append(
    element(
      'p',
      { class: 'muted' },
      'Signed in as ',
      element('b', {}, host.user?.name ?? ''),
      ', extension ',
      element('b', {}, extension),
      '. Widget: ',
      element('span', { 'data-testid': 'widget-state' }, host.settings.active() ? 'on' : 'off'),
      '.',
    ),
  );
}

export function createPages(host: Host, extension: string): Pages {
  return {
    render() {
      const page = byId('page');
      const route = routeOf(location.pathname);
      if (route.page === 'card') renderCard(page, route.type, route.id);
      else if (route.page === 'new' && route.type === 'contacts') renderNewContact(page);
      else if (route.page === 'list') renderList(page, route.type);
      else renderDashboard(page, host, extension);
    },
  };
}
