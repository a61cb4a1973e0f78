/**
 * The notify issue through the BUILT bundle (dist/widget/script.js) in jsdom, with the lead's
 * harness: RequireJS, host jQuery, a recording `APP`, the reference relay on loopback and the
 * account's /api (by_phone, events) answered by a loopback route table below.
 */
import type * as http from 'http';
import { startHarness, type Harness } from '../../support/kommo-jsdom';
import { waitUntil } from '../../support/wait';
import { CALL_BACK } from './fixtures';
import { ENGLISH_NOTIFY_STRINGS } from '../../../src/notify';
import { startRelay } from '../../../relay/src';

type Relay = Awaited<ReturnType<typeof startRelay>>;

const TOKEN = 'widget-token';
const PBX_TOKEN = 'pbx-token';

const CORPUS = [
  `<script>window.__pwned('script')</script>`,
  `<img src=x onerror="window.__pwned('img')">`,
  `"><svg onload=window.__pwned('svg')>`,
  `' onmouseover='window.__pwned("attr")`,
  `<a href="javascript:window.__pwned('a')">click</a>`,
  `</a><a href=//evil.example.com onclick=window.__pwned('close')>x`,
  `<iframe srcdoc="<script>parent.__pwned('iframe')</script>"></iframe>`,
  `&lt;b&gt;{{number}}$&`,
];

/** by_phone answers, by the digits asked for. */
type Answer = { status: number; body?: unknown } | 'hang';
const item = (id: number, type: number, name: string, phoneEntity?: { id: number; type: number; name: string }) => ({
  _embedded: { items: [{ id, type, name, responsible_user_id: 1, ...(phoneEntity ? { phone_entity: { ...phoneEntity, responsible_user_id: 1 } } : {}) }] },
});
const BY_PHONE: Record<string, Answer> = {
  '18305803077': { status: 200, body: item(42, 1, 'Adam Noah') },
  '14155237743': { status: 200, body: item(5102790, 2, 'First patch', { id: 6811296, type: 3, name: 'Lama Company' }) },
  '18305803000': { status: 200, body: item(3970, 12, 'Customer 2', { id: 77, type: 1, name: 'Eve' }) },
  '14155550100': { status: 204 },
  '14155550199': { status: 403, body: { title: 'Forbidden' } },
  '14155550111': 'hang',
};
CORPUS.forEach((payload, i) => {
  BY_PHONE[`141555560${String(i).padStart(2, '0')}`] = { status: 200, body: item(900 + i, 1, payload) };
});

let relay: Relay;
let harness: Harness | null = null;
let byPhoneAsked: string[] = [];
let eventsPosted: unknown[] = [];
let eventsStatus = 200;
let hanging: http.ServerResponse[] = [];

function api(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/api/v2/search/by_phone') {
    const digits = url.searchParams.get('phone') ?? '';
    byPhoneAsked.push(digits);
    const answer = BY_PHONE[digits] ?? { status: 204 };
    if (answer === 'hang') {
      hanging.push(res);
      return true;
    }
    res.writeHead(answer.status, answer.body === undefined ? {} : { 'Content-Type': 'application/json' });
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    return true;
  }
  if (url.pathname === '/api/v2/events' || url.pathname === '/api/v2/events/') {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      eventsPosted.push(JSON.parse(text || 'null'));
      res.writeHead(eventsStatus, { 'Content-Type': 'application/json' });
      res.end(eventsStatus < 300 ? JSON.stringify({ _embedded: { items: [] } }) : '{}');
    });
    return true;
  }
  return false;
}

beforeEach(async () => {
  byPhoneAsked = [];
  eventsPosted = [];
  eventsStatus = 200;
  hanging = [];
  relay = await startRelay({ token: TOKEN, pbxToken: PBX_TOKEN, port: 0, host: '127.0.0.1' });
});

afterEach(async () => {
  for (const res of hanging) res.destroy();
  await harness?.close();
  harness = null;
  await relay.close();
});

async function pbx(event: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${relay.url}/pbx/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${PBX_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ direction: 'inbound', extension: '101', ...event }),
  });
  expect(response.status).toBeLessThan(300);
}

async function start(overrides: Record<string, unknown> = {}, lang = 'en'): Promise<Harness> {
  const h = await startHarness({
    settings: { ws_url: relay.wsUrl, token: TOKEN, phones: { '504141': '101' }, country: 'US', ...overrides },
    lang,
    handle: api,
  });
  harness = h;
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  await waitUntil('the widget subscribed', () => relay.connections() === 1);
  return h;
}

/** The pop-up HTML as the page's jQuery renders it (scripts in it would run). */
function renderInPage(h: Harness, html: string): HTMLElement {
  const doc = h.window.document;
  const box = doc.createElement('div');
  doc.body.appendChild(box);
  (h.window as unknown as { jQuery: (el: Element) => { html(s: string): void } }).jQuery(box).html(html);
  for (const el of Array.from(box.querySelectorAll('*'))) for (const type of ['click', 'mouseover', 'error', 'load']) el.dispatchEvent(new h.window.Event(type));
  return box;
}

const links = (h: Harness, html: string) =>
  Array.from(renderInPage(h, html).querySelectorAll('a')).map((a) => ({ href: a.getAttribute('href'), cls: a.className, label: a.textContent }));

test('inbound, a contact: one call pop-up, the number in the header, the name linked in place', async () => {
  const h = await start();
  await pbx({ call_id: 'b1', state: 'ringing', phone: '+1 830 580 3077' });
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  const popup = h.app.popups[0]!;
  expect(popup.type).toBe('call');
  expect(typeof popup.date).toBe('number');
  expect(popup.text.header).toBe('Incoming call: +1 830 580 3077');
  expect(links(h, popup.text.text)).toEqual([{ href: '/contacts/detail/42', cls: 'js-navigate-link', label: 'Adam Noah' }]);
});

test('inbound, a lead: the lead and the company holding the number, both linked', async () => {
  const h = await start();
  await pbx({ call_id: 'b2', state: 'ringing', phone: '+1 415 523 7743' });
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(links(h, h.app.popups[0]!.text.text).map((l) => l.href)).toEqual(['/leads/detail/5102790', '/companies/detail/6811296']);
});

test('unknown number: "unknown number" and a create-contact link with the number', async () => {
  const h = await start();
  await pbx({ call_id: 'b3', state: 'ringing', phone: '+1 415 555 0100' });
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(h.app.popups[0]!.text.text).toContain('Unknown number');
  expect(links(h, h.app.popups[0]!.text.text)).toEqual([{ href: '/contacts/add/?phone=%2B14155550100', cls: 'js-navigate-link', label: 'Create contact' }]);
});

test('lookup refused (403): the number and that the CRM refused, no create link', async () => {
  const h = await start();
  await pbx({ call_id: 'b4', state: 'ringing', phone: '+1 415 555 0199' });
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(h.app.popups[0]!.text.text).toBe(ENGLISH_NOTIFY_STRINGS.lookup_forbidden);
  expect(links(h, h.app.popups[0]!.text.text)).toEqual([]);
});

test('a by_phone that never answers: the pop-up still comes, with the number, "the CRM is slow" and no card', async () => {
  const h = await start();
  await pbx({ call_id: 'b5', state: 'ringing', phone: '+1 415 555 0111' });
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(h.app.popups[0]!.text.header).toContain('415');
  // The lookup gives up before the pop-up's budget runs out, so the user is told why no name: slow, not failed.
  expect(h.app.popups[0]!.text.text).toBe(ENGLISH_NOTIFY_STRINGS.lookup_slow);
  expect(links(h, h.app.popups[0]!.text.text)).toEqual([]);
});

test('internal extension: "extension 204" header, no lookup', async () => {
  const h = await start();
  await pbx({ call_id: 'b6', state: 'ringing', phone: '204' });
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(h.app.popups[0]!.text.header).toBe('Incoming call: extension 204');
  expect(h.app.popups[0]!.text.text).toBe('Internal call');
  expect(byPhoneAsked).toEqual([]);
});

test('outbound: "outgoing call" with the number, dialing the linked name', async () => {
  const h = await start();
  await pbx({ call_id: 'b7', state: 'ringing', direction: 'outbound', phone: '+1 830 580 3077' });
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(h.app.popups[0]!.text.header).toBe('Outgoing call: +1 830 580 3077');
  expect(h.app.popups[0]!.text.text).toMatch(/^Dialing <a href="\/contacts\/detail\/42" class="js-navigate-link">Adam Noah<\/a>$/);
});

test('ended: one add_call with text, parties, duration, recording and element; repeats change nothing; one lookup', async () => {
  const h = await start();
  await pbx({ call_id: 'b8', state: 'ringing', phone: '+1 830 580 3077' });
  await pbx({ call_id: 'b8', state: 'ringing', phone: '+1 830 580 3077' });
  await pbx({ call_id: 'b8', state: 'answered', phone: '+1 830 580 3077' });
  await pbx({ call_id: 'b8', state: 'ended', phone: '+1 830 580 3077', duration: 125, result: 'answered', recording_url: 'https://pbx.example.com/r/b8.mp3' });
  await pbx({ call_id: 'b8', state: 'ended', phone: '+1 830 580 3077', duration: 125, result: 'answered' });
  await pbx({ call_id: 'b8-next', state: 'ringing', phone: '+1 415 555 0100' });
  await waitUntil('the next call popped, so b8 is fully processed', () => h.app.popups.length === 2);
  await waitUntil('the completed call', () => h.app.calls.length === 1);
  expect(h.app.popups.filter((p) => p.text.header.includes('830'))).toHaveLength(1);
  expect(h.app.calls).toEqual([
    {
      text: `Incoming call from Adam Noah, 2:05${CALL_BACK('+18305803077')}`,
      date: expect.any(Number),
      from: 'Adam Noah',
      to: 'Maria Manager',
      duration: 125,
      link: 'https://pbx.example.com/r/b8.mp3',
      element: { id: 42, type: 'contact' },
    },
  ]);
  expect(byPhoneAsked.filter((d) => d === '18305803077')).toHaveLength(1);
});

test('ended: a customer maps to its phone_entity; an unknown caller has no element; missed is said, and pops up with Call back', async () => {
  const h = await start();
  await pbx({ call_id: 'b9', state: 'ended', phone: '+1 830 580 3000', duration: 0, result: 'missed' });
  await pbx({ call_id: 'b10', state: 'ended', phone: '+1 415 555 0100', duration: 7, result: 'answered' });
  await waitUntil('both completed calls', () => h.app.calls.length === 2);
  const byText = Object.fromEntries(h.app.calls.map((c) => [String(c.from), c]));
  expect(byText['Eve']).toMatchObject({ text: `Missed call from Eve${CALL_BACK('+18305803000')}`, element: { id: 77, type: 'contact' } });
  // Nobody talked: no duration, so the bell shows no 0:00.
  expect(byText['Eve']!.duration).toBeUndefined();
  expect(byText['+1 415 555 0100']!.duration).toBe(7);
  expect(byText['+1 415 555 0100']).toMatchObject({ text: `Incoming call from +1 415 555 0100, 0:07${CALL_BACK('+14155550100')}` });
  expect(byText['+1 415 555 0100']!.element).toBeUndefined();
  // The missed one pops up (the answered one does not): who called, and Call back.
  expect(h.app.popups).toHaveLength(1);
  expect(h.app.popups[0]!.text.header).toBe('Missed call: +1 830 580 3000');
  expect(h.app.popups[0]!.text.text).toContain('Call back');
  expect(h.app.popups[0]!.text.text).toContain('data-telephony-dial="+18305803000"');
});

test('events mode: POST /api/v2/events for the current user instead of the pop-up', async () => {
  const h = await start({ notify_mode: 'events' });
  await pbx({ call_id: 'b11', state: 'ringing', phone: '+1 830 580 3077' });
  await waitUntil('the event posted', () => eventsPosted.length === 1);
  expect(eventsPosted[0]).toEqual({ add: [{ type: 'phone_call', phone_number: '+18305803077', users: [504141] }] });
  await pbx({ call_id: 'b11-next', state: 'ringing', phone: '+1 415 555 0100' });
  await waitUntil('the next event posted', () => eventsPosted.length === 2);
  expect(h.app.popups).toHaveLength(0);
});

test('events mode, the POST failing: the widget pop-up instead, once', async () => {
  eventsStatus = 500;
  const h = await start({ notify_mode: 'events' });
  await pbx({ call_id: 'b12', state: 'ringing', phone: '+1 830 580 3077' });
  await waitUntil('the fallback pop-up', () => h.app.popups.length === 1);
  await pbx({ call_id: 'b12', state: 'answered', phone: '+1 830 580 3077' });
  await pbx({ call_id: 'b12', state: 'ended', phone: '+1 830 580 3077', duration: 3 });
  await waitUntil('the completed call', () => h.app.calls.length === 1);
  expect(eventsPosted).toHaveLength(1);
  expect(h.app.popups).toHaveLength(1);
  expect(h.app.popups[0]!.text.text).toContain('Adam Noah');
});

test('the user language: texts in Russian', async () => {
  const h = await start({}, 'ru');
  await pbx({ call_id: 'b13', state: 'ringing', phone: '+1 415 555 0100' });
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(h.app.popups[0]!.text.header).toBe('Входящий звонок: +1 415 555 0100');
  expect(h.app.popups[0]!.text.text).toContain('Создать контакт');
});

test('XSS corpus as CRM names and as PBX numbers: nothing runs, the text shows literally', async () => {
  const h = await start();
  const pwned: string[] = [];
  (h.window as unknown as { __pwned: (s: string) => void }).__pwned = (s) => void pwned.push(s);
  for (const [i] of CORPUS.entries()) await pbx({ call_id: `x-name-${i}`, state: 'ringing', phone: `+1 415 555 60${String(i).padStart(2, '0')}` });
  // The protocol caps `phone` at 64 characters; longer payloads would be dropped by the feed.
  const asNumbers = CORPUS.filter((p) => p.length <= 64);
  for (const [i, payload] of asNumbers.entries()) await pbx({ call_id: `x-num-${i}`, state: 'ringing', phone: payload });
  await waitUntil('every pop-up', () => h.app.popups.length === CORPUS.length + asNumbers.length);
  const shown: string[] = [];
  for (const popup of h.app.popups) {
    for (const html of [popup.text.header, popup.text.text]) {
      const box = renderInPage(h, html);
      for (const el of Array.from(box.querySelectorAll('*'))) {
        expect(['A', 'BR']).toContain(el.tagName);
        for (const attr of Array.from(el.attributes)) expect(['href', 'class']).toContain(attr.name);
        if (el.tagName === 'A') expect(el.getAttribute('href')).toMatch(/^\/(contacts|companies|leads|customers)\/(detail\/\d+|add\/\?phone=)/);
      }
      shown.push(box.textContent ?? '');
    }
  }
  expect(pwned).toEqual([]);
  // Control: the same rendering does run a payload that was not escaped.
  renderInPage(h, `<img src=x onerror="window.__pwned('control')"><script>window.__pwned('control-script')</script>`);
  expect(pwned).toEqual(expect.arrayContaining(['control', 'control-script']));
  for (const payload of CORPUS) {
    expect(shown.filter((t) => t.includes(payload.trim().slice(0, 40))).length).toBeGreaterThanOrEqual(asNumbers.includes(payload) ? 2 : 1);
  }
});
