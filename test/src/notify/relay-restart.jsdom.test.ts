/**
 * Issue 12 through the BUILT bundle (dist/widget/script.js, `npm run build` first) in jsdom with
 * the lead's harness: the reference relay (SQLite store) is killed while a call is in progress and
 * restarted on the same port; the call ends meanwhile. The widget, on its real timers, is back
 * within its quick retry and files the call's end once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, type Harness } from '../../support/kommo-jsdom';
import { waitUntil } from '../../support/wait';
import { startRelay } from '../../../relay/src';

const TOKEN = 'widget-token';
const PBX_TOKEN = 'pbx-token';

let dir: string;
let harness: Harness | null = null;
const relays: Array<Awaited<ReturnType<typeof startRelay>>> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'restart-'));
});
afterEach(async () => {
  await harness?.close();
  harness = null;
  for (const r of relays.splice(0)) await r.close();
  rmSync(dir, { recursive: true, force: true });
});

async function relay(port = 0) {
  const r = await startRelay({ token: TOKEN, pbxToken: PBX_TOKEN, port, dataDir: dir });
  relays.push(r);
  return r;
}

async function pbx(r: { url: string }, event: Record<string, unknown>, retried = false): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${r.url}/pbx/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${PBX_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ direction: 'inbound', extension: '101', phone: '+1 830 580 3077', ...event }),
    });
  } catch (error) {
    // The first POST after the restart may ride a kept-alive connection to the killed relay: a PBX retries.
    if (retried) throw error;
    return pbx(r, event, true);
  }
  expect(response.status).toBe(200);
}

test('the relay restarts while a call is in progress: the call that ended meanwhile is filed once, and the widget is back within 1.5 s', async () => {
  const first = await relay();
  const h = await startHarness({ settings: { ws_url: first.wsUrl, token: TOKEN, phones: { '504141': '101' }, country: 'US' }, lang: 'en', handle: () => false });
  harness = h;
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  await waitUntil('subscribed', () => first.connections() === 1);
  await pbx(first, { call_id: 'r1', state: 'ringing' });
  await pbx(first, { call_id: 'r1', state: 'answered' });
  await waitUntil('the pop-up', () => h.app.popups.length === 1);

  await first.close(); // every socket cut, the listener gone
  const second = await relay(first.port);
  const backAt = Date.now();
  await pbx(second, { call_id: 'r1', state: 'ended', duration: 75 });
  await waitUntil('resubscribed', () => second.connections() === 1, { timeoutMs: 5_000 });
  const resubscribedMs = Date.now() - backAt;
  await waitUntil('the completed call', () => h.app.calls.length === 1);
  expect(h.app.calls[0]).toMatchObject({ text: expect.stringContaining('1:15'), duration: 75 });

  // A later call still pops; r1 was filed once.
  await pbx(second, { call_id: 'r2', state: 'ringing' });
  await waitUntil('the next pop-up', () => h.app.popups.length === 2);
  expect(h.app.calls).toHaveLength(1);
  expect(resubscribedMs).toBeLessThanOrEqual(1_500);
});
