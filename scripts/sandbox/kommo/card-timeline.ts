/**
 * A card's timeline in the sandbox: what the relay's call log put on it through the simulated
 * CRM's v4 API (GET /sandbox/timeline; docs/call-log.md), as Kommo's card feed shows it. It
 * records and displays what it was given; times and durations are shown as the CRM has them.
 */
import type { TimelineNote } from '../../crm/timeline';
import { element } from './dom';
import { fetchJson } from './fetch-json';

interface TimelineAnswer {
  cards: Array<{ key: string; notes: TimelineNote[] }>;
}

const CALL_STATUS: Record<number, string> = { 3: 'not available', 4: 'talked', 6: 'no answer', 7: 'busy' };
const at = (unixS: number) => new Date(unixS * 1000).toISOString().replace('T', ' ').slice(0, 16);

function noteItem(note: TimelineNote): HTMLElement {
  if (note.kind === 'call') {
    const item = element(
      'li',
      { 'data-testid': 'timeline-call', 'data-uniq': note.uniq ?? '' },
      `${at(note.created_at)} ${note.direction} call ${note.phone}, ${note.duration} s, ${CALL_STATUS[note.call_status ?? 0] ?? 'status ?'}`,
      element('span', { class: 'muted' }, ` by user ${note.responsible_user_id ?? '?'} (${note.source})`),
    );
    if (note.link) item.append(' ', element('a', { href: note.link, target: '_blank', rel: 'noopener' }, 'recording'));
    return item;
  }
  if (note.kind === 'task') return element('li', { 'data-testid': 'timeline-task', 'data-task': String(note.task_id) }, `${at(note.created_at)} task for user ${note.responsible_user_id}, due ${at(note.complete_till)}: ${note.text}`);
  return element('li', { 'data-testid': 'timeline-task-completed', 'data-task': String(note.task_id) }, `${at(note.created_at)} task ${note.task_id} completed: ${note.result_text ?? ''}`);
}

/** Appends the card's timeline to `card` (empty: says so). */
export function renderTimeline(card: HTMLElement, type: string, id: string): void {
  const list = element('ul', { class: 'timeline', 'data-testid': 'timeline' });
  card.append(element('h3', {}, 'Timeline (calls and tasks logged by the relay)'), list);
  fetchJson<TimelineAnswer>('/sandbox/timeline').then(
    (answer) => {
      const notes = answer.cards.find((c) => c.key === `${type}:${id}`)?.notes ?? [];
      list.replaceChildren(...(notes.length ? notes.map(noteItem) : [element('li', { class: 'muted' }, 'Nothing yet.')]));
    },
    () => list.replaceChildren(element('li', { class: 'muted' }, 'The timeline could not be read.')),
  );
}
