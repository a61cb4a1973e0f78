/**
 * The remembered callers wired through the BUILT script.js and leader.js (src/platform/lifecycle.ts,
 * src/app/leader.ts): a found caller is saved under this account and user, another user's list
 * goes at start, and the switch-off forgets every list. The CRM is the fixture CRM on the page's origin.
 */
import { startHarness, type Harness } from '../../support/kommo-jsdom';
import { waitUntil } from '../../support/wait';
import { startRelay } from '../../../relay/src';
import { createCrm, SEED_NUMBERS } from '../../../scripts/crm';
import { SANDBOX_ACCOUNT } from '../../../scripts/sandbox/users';

/** init queues the widget's start for idle time (src/platform/idle-start.ts; jsdom has no requestIdleCallback: the next turn). */
const idleStart = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const TOKEN = 'widget-token';
const PBX_TOKEN = 'pbx-token';
const PREFIX = 'kommo-telephony/callers/';
const OWN = `${PREFIX}v1/${SANDBOX_ACCOUNT.id}/504141`;

let relay: Awaited<ReturnType<typeof startRelay>>;
let harness: Harness | null = null;
const crm = createCrm();

beforeEach(async () => {
  crm.reset();
  relay = await startRelay({ token: TOKEN, pbxToken: PBX_TOKEN, port: 0, host: '127.0.0.1' });
});
afterEach(async () => {
  await harness?.close();
  harness = null;
  await relay.close();
});

async function ring(callId: string, phone: string): Promise<void> {
  const response = await fetch(`${relay.url}/pbx/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${PBX_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ call_id: callId, state: 'ringing', direction: 'inbound', phone, extension: '101' }),
  });
  expect(response.status).toBeLessThan(300);
}

const callerKeys = (h: Harness) => Object.keys(h.window.localStorage).filter((key) => key.startsWith(PREFIX));

test("a found caller is remembered for this user only; another user's list goes at start; the switch-off forgets them all", async () => {
  const h = (harness = await startHarness({
    settings: { ws_url: relay.wsUrl, token: TOKEN, phones: { '504141': '101' }, country: 'US' },
    handle: (req, res) => crm.handle(req, res),
  }));
  const other = `${PREFIX}v1/${SANDBOX_ACCOUNT.id}/504142`;
  h.window.localStorage.setItem(other, JSON.stringify({ v: 1, callers: {} }));
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  await idleStart();
  expect(callerKeys(h)).toEqual([]);

  await waitUntil('the widget subscribed', () => relay.connections() === 1);
  await ring('c-remembered', SEED_NUMBERS.adamNoah);
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(h.app.popups[0]!.text.text).toContain('Adam Noah');
  await waitUntil('the caller remembered', () => h.window.localStorage.getItem(OWN) !== null);
  expect(JSON.parse(h.window.localStorage.getItem(OWN)!)).toEqual({
    v: 1,
    callers: { '+18305803077': { at: expect.any(Number), card: { type: 'contact', id: 5760184, name: 'Adam Noah' } } },
  });

  expect(await h.widget.callbacks.onSave!({ active: 'N', fields: {} })).toBe(true);
  h.widget.callbacks.destroy!();
  expect(callerKeys(h)).toEqual([]);
});

test('a corrupted list does not cost the pop-up', async () => {
  const h = (harness = await startHarness({
    settings: { ws_url: relay.wsUrl, token: TOKEN, phones: { '504141': '101' }, country: 'US' },
    handle: (req, res) => crm.handle(req, res),
  }));
  h.window.localStorage.setItem(OWN, '{"v":1,"callers":{"+1830');
  h.widget.callbacks.render!();
  h.widget.callbacks.init!();
  await idleStart();
  await waitUntil('the widget subscribed', () => relay.connections() === 1);
  await ring('c-corrupted', SEED_NUMBERS.adamNoah);
  await waitUntil('the pop-up', () => h.app.popups.length === 1);
  expect(h.app.popups[0]!.text.text).toContain('Adam Noah');
  await waitUntil('the list starts afresh', () => JSON.parse(h.window.localStorage.getItem(OWN) ?? '{}').callers?.['+18305803077'] !== undefined);
});
