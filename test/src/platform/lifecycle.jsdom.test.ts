/**
 * The built script.js as Kommo loads it: RequireJS `define`, jQuery and underscore from the
 * host, helpers on `this`, callbacks in Kommo's order. Proves the lifecycle rules of the
 * package issue through the bundle, against the reference relay on loopback.
 */
import { startHarness, type Harness } from '../../support/kommo-jsdom';
import { waitUntil } from '../../support/wait';
import { startRelay } from '../../../relay/src';
import en from '../../../i18n/en.json';

type Relay = Awaited<ReturnType<typeof startRelay>>;

const TOKEN = 'widget-token';
const PBX_TOKEN = 'pbx-token';

let relay: Relay;
let harness: Harness | null = null;

beforeEach(async () => {
  relay = await startRelay({ token: TOKEN, pbxToken: PBX_TOKEN, port: 0, host: '127.0.0.1' });
});

afterEach(async () => {
  await harness?.close();
  harness = null;
  await relay.close();
});

async function ring(callId: string, extension = '101', phone = '+1 830 580 3077'): Promise<void> {
  const response = await fetch(`${relay.url}/pbx/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${PBX_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ call_id: callId, state: 'ringing', direction: 'inbound', phone, extension }),
  });
  expect(response.status).toBeLessThan(300);
}

function settings(overrides: Record<string, unknown> = {}) {
  return { ws_url: relay.wsUrl, token: TOKEN, phones: { '504141': '101' }, country: 'US', ...overrides };
}

/** Kommo's settings modal: a body element handed to the `settings` callback, jQuery-wrapped. */
function openSettingsModal(h: Harness): HTMLElement {
  const doc = h.window.document;
  doc.querySelector('#settings-modal')?.remove();
  const body = doc.createElement('div');
  body.id = 'settings-modal';
  doc.body.appendChild(body);
  const $ = (h.window as unknown as { requirejs(name: string): (el: HTMLElement) => unknown }).requirejs('jquery');
  h.widget.callbacks.settings!($(body));
  return body;
}

function start(overrides: Record<string, unknown> = {}, lang = 'en') {
  return startHarness({ settings: settings(overrides), lang }).then((h) => (harness = h));
}

test('script.js is an AMD module that RequireJS loads with the host jQuery and underscore; render returns true', async () => {
  const h = await start();
  expect(typeof h.Widget).toBe('function');
  expect(h.widget.callbacks.render!()).toBe(true);
  expect(h.widget.callbacks.bind_actions!()).toBe(true);
  // The module asked the host for jquery and nothing it would have to bundle itself.
  const defined = (h.window as unknown as { requirejs: { s: { contexts: { _: { defined: Record<string, unknown> } } } } }).requirejs.s.contexts._.defined;
  expect(Object.keys(defined).sort()).toEqual(expect.arrayContaining(['jquery', 'widget']));
});

test('init starts one connection per page load: a second init and a re-rendered instance start nothing twice', async () => {
  const h = await start();
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  await waitUntil('the widget subscribed', () => relay.connections() === 1);
  h.widget.callbacks.init!();
  const again = h.construct(); // Kommo constructs again on an area change (init_once: no init)
  expect(again.callbacks.render!()).toBe(true);
  again.callbacks.init!();
  await ring('c-once');
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(relay.connections()).toBe(1);
  expect(h.openSockets()).toBe(1);
});

test('destroy alone (a move between areas) keeps the call machinery working', async () => {
  const h = await start();
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  await waitUntil('the widget subscribed', () => relay.connections() === 1);
  h.widget.callbacks.destroy!();
  const next = h.construct();
  next.callbacks.render!();
  await ring('c-after-destroy');
  await waitUntil('the pop-up after an area change', () => h.app.popups.length === 1);
  expect(h.app.popups[0]!.text.header).toContain('+1 830 580 3077');
  expect(relay.connections()).toBe(1);
});

test('switched off (onSave active N, then destroy): no socket, timer or listener survives', async () => {
  const h = await start();
  const listenersBefore = h.liveListeners();
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  await waitUntil('the widget subscribed', () => relay.connections() === 1);
  await ring('c-before-off');
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(h.pendingTimers()).toBeGreaterThan(0); // the heartbeat, at least
  expect(await h.widget.callbacks.onSave!({ active: 'N', fields: {} })).toBe(true);
  h.widget.callbacks.destroy!();
  expect(h.openSockets()).toBe(0);
  expect(h.pendingTimers()).toBe(0);
  expect(h.liveListeners()).toEqual(listenersBefore);
  await waitUntil('the relay saw the socket close', () => relay.connections() === 0);
});

test('the phones setting works given as a JSON string, as Kommo may hand it', async () => {
  const h = await start({ phones: JSON.stringify({ '504141': '101, 102' }) });
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  await waitUntil('the widget subscribed', () => relay.connections() === 1);
  await ring('c-json-phones', '102');
  await waitUntil('the pop-up for the second extension', () => h.app.popups.length === 1);
});

test('onSave refuses invalid settings and says why in the user language', async () => {
  const h = await start({}, 'ru');
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  const refused = await h.widget.callbacks.onSave!({ active: 'Y', fields: { ws_url: relay.wsUrl, poll_url: 'https://pbx.example/calls', token: TOKEN } });
  expect(refused).toBe(false);
  expect(h.app.messages).toHaveLength(1);
  expect(h.app.messages[0]!.text).toMatch(/[а-яА-Я]/); // Russian, not English
  expect(h.app.messages[0]!.text).not.toMatch(/WebSocket URL or/);
});

test('saving new settings reconnects with them (a corrected token after a refusal)', async () => {
  const h = await start({ token: 'wrong' });
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  // The admin opens the settings and is told why: the token was refused. The line says the state
  // when the modal opened (once settings.js arrived): open it again until it says so.
  let body = openSettingsModal(h);
  const status = () => {
    const text = body.querySelector('[data-testid="telephony-status"]')?.textContent ?? '';
    if (text !== '') body = openSettingsModal(h);
    return text;
  };
  await waitUntil('the settings say the token was refused', () => {
    const text = status();
    return /token/i.test(text) && /refused/i.test(text);
  });
  await waitUntil('the relay closed the refused socket', () => relay.connections() === 0);
  expect(h.openSockets()).toBe(0); // and the widget does not retry with the wrong token
  expect(await h.widget.callbacks.onSave!({ active: 'Y', fields: settings() })).toBe(true);
  await waitUntil('the widget subscribed with the new token', () => relay.connections() === 1);
  await ring('c-after-fix');
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
});

test('the settings modal loads its checks from settings.js in the widget folder when it opens', async () => {
  const h = await start({ token: '' });
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  const loaded = () => [...h.window.document.scripts].some((s) => /\/widget\/settings\.js/.test(s.src));
  expect(loaded()).toBe(false); // not on page load
  const body = openSettingsModal(h);
  await waitUntil('the checks are in the modal', () => body.querySelector('[data-testid="telephony-settings-check"]') !== null);
  expect(loaded()).toBe(true);
  expect(body.querySelector('[data-testid="telephony-settings-check"]')!.textContent).toContain(en.settings.problem_token_missing);
  expect(body.querySelector('[data-testid="telephony-status"]')?.textContent).not.toBe('');
  expect(body.querySelector('[data-testid="telephony-settings-unavailable"]')).toBeNull();
  h.widget.callbacks.destroy!();
  expect(body.querySelector('[data-testid="telephony-settings-check"]')).toBeNull();
});

test('when settings.js cannot load, the settings modal says so and saving still works', async () => {
  let refused = 0;
  const h = await startHarness({
    settings: settings(),
    handle: (req, res) => {
      if (!req.url?.startsWith('/widget/settings.js')) return false;
      refused += 1;
      res.writeHead(404).end();
      return true;
    },
  }).then((opened) => (harness = opened));
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  const body = openSettingsModal(h);
  await waitUntil('the modal says the checks are missing', () => body.querySelector('[data-testid="telephony-settings-unavailable"]') !== null);
  expect(body.querySelector('[data-testid="telephony-settings-unavailable"]')!.textContent).toBe(en.settings.panel_unavailable);
  expect(body.querySelector('[data-testid="telephony-settings-check"]:not([data-testid="telephony-settings-unavailable"])')).toBeNull();
  expect(h.logs.some((line) => /settings checks did not load/.test(line))).toBe(true);
  // Opening the settings again tries again (and says so again, once).
  const again = openSettingsModal(h);
  await waitUntil('the second try failed too', () => refused === 2 && again.querySelector('[data-testid="telephony-settings-unavailable"]') !== null);
  expect(again.querySelectorAll('[data-testid="telephony-settings-unavailable"]')).toHaveLength(1);
  expect(await h.widget.callbacks.onSave!({ active: 'Y', fields: settings() })).toBe(true);
  await waitUntil('the widget subscribed', () => relay.connections() === 1);
});

test('a page restored from the back/forward cache reconnects and still pops calls', async () => {
  const h = await start();
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  await waitUntil('the widget subscribed', () => relay.connections() === 1);
  const win = h.window as unknown as Window & { PageTransitionEvent: typeof PageTransitionEvent };
  win.dispatchEvent(new win.PageTransitionEvent('pagehide', { persisted: true }));
  await waitUntil('the hidden page let its connection go', () => relay.connections() === 0);
  win.dispatchEvent(new win.PageTransitionEvent('pageshow', { persisted: true }));
  await waitUntil('the restored page subscribed again', () => relay.connections() === 1);
  await ring('c-after-bfcache');
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
});

/** Starts the built widget recording which of its parts (poll.js, lease.js, ...) the page asked for; `refuse` answers 404. */
async function startRecordingParts(overrides: Record<string, unknown>, refuse: (part: string) => boolean = () => false) {
  const asked: string[] = [];
  const h = await startHarness({
    settings: settings(overrides),
    handle: (req, res) => {
      const part = /^\/widget\/([\w-]+\.js)(?:\?|$)/.exec(req.url ?? '')?.[1];
      if (!part || part === 'script.js') return false;
      asked.push(part);
      if (!refuse(part)) return false;
      res.writeHead(404).end();
      return true;
    },
  }).then((opened) => (harness = opened));
  return { h, asked };
}

/** The settings modal's status line, once `accept` holds: it says the state when the modal opened, so reopen it after each answer. */
async function statusLine(h: Harness, what: string, accept: (text: string) => boolean): Promise<string> {
  let body = openSettingsModal(h);
  let text = '';
  await waitUntil(what, () => {
    text = body.querySelector('[data-testid="telephony-status"]')?.textContent ?? '';
    if (text !== '' && !accept(text)) body = openSettingsModal(h);
    return accept(text);
  });
  return text;
}

const pollSettings = () => ({ ws_url: '', poll_url: `${relay.url}/calls`, poll_interval: '1' });

test('a WebSocket install never fetches poll.js; a page without Web Locks (jsdom) fetches lease.js, leads once it is there, then fetches leader.js', async () => {
  const { h, asked } = await startRecordingParts({});
  expect((h.window.navigator as { locks?: unknown }).locks).toBeUndefined();
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  await waitUntil('the widget subscribed', () => relay.connections() === 1);
  await ring('c-ws');
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(asked).toEqual(['lease.js', 'leader.js']);
});

test('when leader.js answers 404 the status line says the call code is unavailable, nothing throws, and a later try recovers', async () => {
  let missing = true;
  const { h, asked } = await startRecordingParts({}, (part) => part === 'leader.js' && missing);
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  expect(await statusLine(h, 'the status line says the code is missing', (text) => text === en.status.transport_unavailable)).toBe(en.status.transport_unavailable);
  expect(h.logs.some((line) => /leader\.js\) did not load/.test(line))).toBe(true);
  expect(relay.connections()).toBe(0);
  expect(h.logs.filter((line) => /^error:|jsdomError: (?!Could not load script)/.test(line))).toEqual([]);
  missing = false;
  const refused = asked.length;
  await waitUntil('leader.js asked for again', () => asked.length > refused);
  await waitUntil('the widget subscribed', () => relay.connections() === 1);
  await ring('c-after-leader-404');
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
});

test('a polling install fetches poll.js once, right after init, and its calls pop up', async () => {
  const { h, asked } = await startRecordingParts(pollSettings());
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  // The leader asks for it before its first poll: the cost is one same-origin fetch.
  await waitUntil('poll.js asked for', () => asked.includes('poll.js'));
  await ring('c-poll');
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(asked.filter((part) => part === 'poll.js')).toEqual(['poll.js']);
  expect(relay.connections()).toBe(0);
  expect(h.logs.filter((line) => /jsdomError|^error:/.test(line))).toEqual([]);
});

test('when poll.js answers 404 the status line says so in the user language, nothing throws, and a later try recovers', async () => {
  let missing = true;
  const { h, asked } = await startRecordingParts(pollSettings(), (part) => part === 'poll.js' && missing);
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  expect(await statusLine(h, 'the status line says poll.js is missing', (text) => text === en.status.transport_unavailable)).toBe(en.status.transport_unavailable);
  expect(h.logs.some((line) => /transport code did not load/.test(line))).toBe(true);
  // jsdom reports the 404 itself ("Could not load script"), as a browser's console would; nothing else.
  expect(h.logs.filter((line) => /^error:|jsdomError: (?!Could not load script)/.test(line))).toEqual([]);
  // It is retried with backoff: once the file is there, the calls pop up.
  missing = false;
  const refused = asked.length;
  await waitUntil('poll.js asked for again', () => asked.length > refused);
  await ring('c-after-404');
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
});

test('when lease.js cannot load, the tab works alone (it still gets its calls)', async () => {
  const { h, asked } = await startRecordingParts({}, (part) => part === 'lease.js');
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  await waitUntil('lease.js asked for', () => asked.includes('lease.js'));
  await waitUntil('the widget subscribed', () => relay.connections() === 1);
  await ring('c-alone');
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(h.logs.some((line) => /lease election did not load/.test(line))).toBe(true);
});
