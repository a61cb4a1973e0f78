/**
 * The notification centre under the bell, where `add_call` files completed calls: one entry per
 * element, the newest first, an unread counter. Like Kommo's centre it renders add_call's
 * `text`, `from` and `to` as HTML (the widget escapes them); the duration is shown with the
 * widget's own formatter and the card link is the widget's own cardPath, so the double formats
 * and builds nothing of its own. `duration` is optional in add_call (Kommo's docs: "providing the
 * duration ... if they are available"): an entry without one shows none, not "0:00".
 * https://developers.kommo.com/docs/call-notification
 */
import { cardPath } from '../../../src/lookup/card-url';
import { formatDuration } from '../../../src/notify/duration';
import type { CallData } from './app';
import type { CallEventItem, NoticeBoard } from './call-events';
import { byId, element } from './dom';
import type { Recorder } from './recorder';

/** `notice`: a call notification Kommo files itself (POST /api/v2/events; the page feeds it, call-events.ts). */
export interface Bell extends NoticeBoard {
  call(data: CallData): void;
  /** Opens (true), closes (false) or flips the list; opening marks everything read. */
  toggle(show?: boolean): void;
}

interface Entry {
  data: CallData;
  at: number;
  /** Kommo's own notification (call-events.ts builds it): shown and recorded as it is. */
  notice?: { record: CallEventItem; view: HTMLLIElement };
}

function html<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string>, markup: unknown): HTMLElementTagNameMap[K] {
  const el = element(tag, attributes);
  el.innerHTML = String(markup || '');
  return el;
}

/** The card add_call's `element` names, as the widget itself links it; null when it names none. */
function cardLink(data: CallData): string | null {
  const target = data.element;
  return target ? cardPath(target.type, Number(target.id)) : null;
}

/** The talk time when add_call gave one (a number of seconds), else nothing. */
function durationView(data: CallData, lang: string): Array<Node | string> {
  const seconds = data.duration;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return [];
  return [' \u00b7 ', element('span', { 'data-testid': 'bell-duration' }, formatDuration(seconds, lang))];
}

function entryView({ data, at }: Entry, lang: string): HTMLLIElement {
  const when = new Date(data.date ? data.date * 1000 : at).toLocaleTimeString();
  const meta = element(
    'div',
    { class: 'bell-meta' },
    html('span', { 'data-testid': 'bell-from' }, data.from),
    ' \u2192 ',
    html('span', { 'data-testid': 'bell-to' }, data.to),
    ...durationView(data, lang),
    ` \u00b7 ${when}`,
  );
  const links: Array<Node | string> = [];
  const card = cardLink(data);
  if (card) links.push(element('a', { class: 'js-navigate-link', 'data-testid': 'bell-open', href: card }, 'Open card'));
  if (data.link && /^https?:\/\//i.test(data.link)) {
    if (links.length) links.push(' ');
    links.push(element('a', { 'data-testid': 'bell-recording', target: '_blank', rel: 'noopener', href: data.link }, '\u25b6 Recording'));
  }
  const li = element('li', { class: 'bell-entry', 'data-testid': 'bell-entry' }, html('div', { class: 'bell-text', 'data-testid': 'bell-text' }, data.text), meta);
  if (links.length) li.append(element('div', { class: 'bell-links' }, ...links));
  return li;
}

export function createBell({ recorder, lang }: { recorder: Recorder; lang: string }): Bell {
  let entries: Entry[] = [];
  let unread = 0;

  function render(): void {
    const count = byId('bell-count');
    count.textContent = String(unread);
    count.hidden = unread === 0;
    byId('bell-empty').hidden = entries.length > 0;
    byId('bell-entries').replaceChildren(...entries.map((entry) => entry.notice?.view ?? entryView(entry, lang)));
    recorder.record.bell = entries.map((entry) => entry.notice?.record ?? entry.data);
  }

  const bell: Bell = {
    call(data) {
      const target = data?.element;
      // Kommo keeps one notification per element, the last one.
      if (target?.id && target.type) {
        entries = entries.filter(({ data: other }) => !(other.element && String(other.element.id) === String(target.id) && other.element.type === target.type));
      }
      entries.unshift({ data: data ?? { text: '' }, at: Date.now() });
      unread += 1;
      render();
    },
    notice(record, view) {
      // Every call event is a notification of its own (Kommo keeps them all).
      entries.unshift({ data: { text: '' }, at: Date.now(), notice: { record, view } });
      unread += 1;
      render();
    },
    toggle(show) {
      const list = byId('bell-list');
      list.hidden = show === undefined ? !list.hidden : !show;
      if (list.hidden) return;
      unread = 0;
      render();
    },
  };
  return bell;
}
