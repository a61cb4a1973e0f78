/**
 * Click-to-call through the built script.js as Kommo loads it (jsdom, the sandbox's Kommo double),
 * against the reference relay with the generic HTTP adapter and a PBX double on loopback: a
 * "Call back" link anywhere in the page dials; a switched-off widget dials nothing and leaves no
 * listener; a host without `APP.widgets.notificationsPhone` loses nothing.
 */
import { startHarness, type Harness } from '../../support/kommo-jsdom';
import { waitUntil } from '../../support/wait';
import { createHttpAdapter, startRelay } from '../../../relay/src';
import { pbxDouble, stopDoubles } from '../../relay/pbx-double';
import type { PbxDouble } from '../../relay/pbx-double';

/** init queues the widget's start for idle time (src/platform/idle-start.ts; jsdom has no requestIdleCallback: the next turn). */
const idleStart = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

type Relay = Awaited<ReturnType<typeof startRelay>>;

const TOKEN = 'widget-token';
let relay: Relay;
let pbx: PbxDouble;
let harness: Harness | null = null;

beforeEach(async () => {
  pbx = await pbxDouble(() => ({ status: 200, body: { call_id: 'pbx-1' } }));
  // No rate limit: the test dials back to back.
  relay = await startRelay({ token: TOKEN, pbxToken: 'pbx-token', port: 0, host: '127.0.0.1', originate: { adapter: createHttpAdapter({ url: pbx.url }), intervalMs: 0 } });
});

afterEach(async () => {
  await harness?.close();
  harness = null;
  await relay.close();
  await stopDoubles();
});

async function start(): Promise<Harness> {
  harness = await startHarness({
    settings: { ws_url: relay.wsUrl, token: TOKEN, phones: { '504141': '101' }, country: 'US' },
    // The double's $authorizedAjax fetches a one-time token first; this relay (no Kommo settings) goes by the shared token.
    handle: (req, res) => {
      if (!req.url?.startsWith('/sandbox/one-time-token')) return false;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ token: 'unused-here' }));
      return true;
    },
  });
  return harness;
}

function clickCallBack(h: Harness, number: string): void {
  const doc = h.window.document;
  const link = doc.createElement('a');
  link.href = '#';
  link.className = 'js-telephony-dial';
  link.setAttribute('data-telephony-dial', number);
  link.textContent = 'Call back';
  doc.body.appendChild(link);
  link.click();
  link.remove();
}

const dialled = () => pbx.received.map((r) => JSON.parse(r.text) as { extension: string; number: string });

test('a "Call back" link dials through the relay: the PBX is asked for 101 -> +18305803077, the manager told at once', async () => {
  const h = await start();
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  await idleStart();
  clickCallBack(h, '+1 (830) 580-3077');
  await waitUntil('the PBX was asked', () => pbx.received.length === 1);
  expect(dialled()).toEqual([expect.objectContaining({ v: 1, extension: '101', number: '+18305803077', user_id: null })]);
  expect(h.app.messages).toEqual([{ header: 'Call +1 830 580 3077', text: 'Calling +1 830 580 3077 from your phone (101)...' }]);
});

test('switched off, a click dials nothing and no listener is left; switched on again, it dials', async () => {
  const h = await start();
  const before = h.liveListeners();
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  await idleStart();
  expect(h.liveListeners().length).toBeGreaterThan(before.length);
  expect(await h.widget.callbacks.onSave!({ active: 'N', fields: {} })).toBe(true);
  h.widget.callbacks.destroy!();
  expect(h.liveListeners()).toEqual(before);
  clickCallBack(h, '+1 830 570 3077');
  expect(await h.widget.callbacks.onSave!({ active: 'Y', fields: {} })).toBe(true);
  clickCallBack(h, '+1 830 580 3077');
  await waitUntil('the PBX was asked', () => pbx.received.length === 1);
  // The one dialled while off never went out (it would have been first).
  expect(dialled().map((d) => d.number)).toEqual(['+18305803077']);
});

test('a host without APP.widgets.notificationsPhone: init runs, nothing is logged as an error, clicks still dial', async () => {
  const h = await start();
  delete (h.window.APP as { widgets?: unknown }).widgets;
  h.widget.callbacks.render!();
  expect(h.widget.callbacks.init!()).toBe(true);
  await idleStart();
  clickCallBack(h, '+1 830 580 3077');
  await waitUntil('the PBX was asked', () => pbx.received.length === 1);
  expect(h.logs.filter((line) => /error/i.test(line))).toEqual([]);
});
