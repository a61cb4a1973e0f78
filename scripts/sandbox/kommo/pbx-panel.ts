/**
 * The sandbox's own controls, not Kommo's: the simulated PBX (ring, answer, hang up, the calls
 * so far, including those placed with `npm run call`) and the CRM and relay fault switches.
 */
import { formatDuration } from '../../../src/notify/duration';
import { SEED_NUMBERS } from '../../crm/seed';
import type { PbxCall } from '../pbx';
import { byId, element } from './dom';
import { fetchJson } from './fetch-json';
import type { CardEntity } from '../entities';

/** How often the call list catches up with calls placed from the CLI. */
const REFRESH_MS = 2000;
const SHOWN_CALLS = 8;
/**
 * What "an unknown number" fills in: no card of the seed shares its last 7 digits, so Kommo's
 * phone search finds nobody (test/scripts/sandbox/unknown-number.test.ts proves it).
 */
export const UNKNOWN_NUMBER: string = SEED_NUMBERS.unknown;

async function pbx(action: Record<string, unknown>): Promise<{ call: PbxCall }> {
  const response = await fetch('/sandbox/pbx', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(action) });
  const text = await response.text();
  if (!response.ok) throw new Error(text.trim() || `PBX answered ${response.status}`);
  return JSON.parse(text) as { call: PbxCall };
}

const status = (text: string) => {
  byId('pbx-status').textContent = text;
};

function callView(call: PbxCall, lang: string): HTMLLIElement {
  const badge = `${call.state}${call.state === 'ended' ? ` ${formatDuration(call.duration ?? 0, lang)}` : ''}`;
  const li = element(
    'li',
    { class: `pbx-call state-${call.state}`, 'data-testid': 'pbx-call', 'data-call-id': call.callId },
    element('span', { class: 'dir' }, call.direction === 'inbound' ? '\u2199' : '\u2197'),
    ` ${call.phone} \u2194 ${call.extension} `,
    element('span', { class: 'badge' }, badge),
    ' ',
  );
  if (call.state === 'ringing') li.append(element('button', { type: 'button', 'data-act': 'answer', 'data-testid': 'pbx-answer' }, 'Answer'), ' ');
  if (call.state !== 'ended') li.append(element('button', { type: 'button', 'data-act': 'hangup', 'data-testid': 'pbx-hangup' }, 'Hang up'));
  return li;
}

async function refreshCalls(lang: string): Promise<void> {
  const { calls } = await fetchJson<{ calls: PbxCall[] }>('/sandbox/pbx');
  byId('pbx-calls').replaceChildren(...calls.slice().reverse().slice(0, SHOWN_CALLS).map((call) => callView(call, lang)));
}

/** "Try:" links that fill in seeded numbers. */
async function showSeededNumbers(): Promise<void> {
  const [contacts, companies] = await Promise.all([fetchJson<CardEntity[]>('/sandbox/entity/contacts'), fetchJson<CardEntity[]>('/sandbox/entity/companies')]);
  const pick = (phone: string, label: string) => element('a', { href: '#', class: 'pick', 'data-phone': phone }, label);
  const seeded = [...contacts, ...companies].filter((e) => e.phones?.length).slice(0, 6);
  const links = seeded.flatMap((e, i) => [...(i ? [', '] : []), pick(e.phones[0]!, e.name)]);
  byId('pbx-numbers').replaceChildren('Try: ', ...links, ', ', pick(UNKNOWN_NUMBER, 'an unknown number'), '.');
}

export function installPbxPanel(extension: string, lang: string): void {
  byId<HTMLInputElement>('pbx-ext').value = extension;
  const value = (id: string) => byId<HTMLInputElement | HTMLSelectElement>(id).value;
  const act = (action: Record<string, unknown>, label: string) =>
    pbx(action)
      .then((r) => {
        status(`${label}: ${r.call.callId}`);
        return refreshCalls(lang);
      })
      .catch((err: Error) => status(String(err.message)));

  showSeededNumbers().catch(() => undefined);
  byId('pbx-numbers').addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a.pick') : null;
    if (!link) return;
    event.preventDefault();
    byId<HTMLInputElement>('pbx-number').value = link.getAttribute('data-phone') ?? '';
  });
  byId('pbx-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void act({ action: 'ring', direction: value('pbx-direction'), phone: value('pbx-number'), extension: value('pbx-ext') }, 'Ringing');
  });
  byId('pbx-calls').addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-act]') : null;
    if (!button) return;
    const callId = button.closest('li')?.getAttribute('data-call-id');
    const which = button.getAttribute('data-act');
    const recording = byId<HTMLInputElement>('pbx-recording').checked;
    void act(which === 'hangup' ? { action: 'hangup', callId, recording } : { action: 'answer', callId }, which ?? '');
  });
  byId('fault-apply').addEventListener('click', () => {
    const chosen = value('fault-status');
    const faults: Record<string, unknown> = { delayMs: Number(value('fault-delay')) || 0 };
    if (chosen === 'hang') faults.hang = true;
    else if (chosen) faults.status = Number(chosen);
    void fetch('/sandbox/crm/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) }).then((r) => {
      byId('fault-status-line').textContent = r.ok ? `CRM faults: ${JSON.stringify(faults)}` : `failed: ${r.status}`;
    });
  });
  byId('relay-restart').addEventListener('click', () => {
    void fetch('/sandbox/relay/restart', { method: 'POST' }).then((r) => {
      byId('fault-status-line').textContent = r.ok ? 'Relay restarted: every connection was closed.' : `failed: ${r.status}`;
    });
  });
  refreshCalls(lang).catch(() => undefined);
  // Owned by the page for its whole life: the panel is never taken down.
  setInterval(() => {
    if (!document.hidden) refreshCalls(lang).catch(() => undefined);
  }, REFRESH_MS);
}
