/**
 * Desktop notifications in real Chromium, two tabs of one user: one notification per call
 * across the tabs when none is visible, none when a tab is looked at, closed on answer and on
 * end, its click focuses the tab and opens the card in the app; nothing is asked on page load,
 * the first pop-up's link and the settings button ask from their click.
 *
 * Headless Chromium shows no notifications and reports every page visible and focused, so an
 * init script wraps `window.Notification` (recording what is constructed, closed, asked), and
 * lets the test say which tab is looked at (visibilityState, hasFocus, their events: what
 * src/platform/page.ts reads). The permission is Chromium's own (`grantPermissions`).
 */
import type { Page } from 'playwright-core';
import { SEED_NUMBERS } from '../../scripts/crm';
import { nthPopup, sandboxRecord, startHarness, type Harness } from '../support/browser';
import { waitUntil } from '../support/wait';

jest.setTimeout(60_000);

/** Plain JavaScript (no compiler helpers): runs in every page before the host page's scripts. */
const RECORDER = `(() => {
  const desktop = { notes: [], instances: [], asked: 0, focused: 0 };
  window.__desktop = desktop;
  const Real = window.Notification;
  if (typeof Real === 'function') {
    class Recorded extends Real {
      constructor(title, options) {
        super(title, options);
        this.__record = { title, body: (options && options.body) || '', tag: (options && options.tag) || '', closed: false };
        desktop.notes.push(this.__record);
        desktop.instances.push(this);
      }
      close() {
        this.__record.closed = true;
        super.close();
      }
    }
    const request = Real.requestPermission.bind(Real);
    Object.defineProperty(Recorded, 'requestPermission', { value: (...args) => { desktop.asked += 1; return request(...args); } });
    window.Notification = Recorded;
  }
  const focus = window.focus.bind(window);
  window.focus = () => { desktop.focused += 1; focus(); };
  let looking = true;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (looking ? 'visible' : 'hidden') });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => !looking });
  Object.defineProperty(document, 'hasFocus', { configurable: true, value: () => looking });
  window.__look = (on) => {
    looking = on;
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event(on ? 'focus' : 'blur'));
  };
})();`;

interface Note {
  title: string;
  body: string;
  tag: string;
  closed: boolean;
}
type Recorded = { notes: Note[]; asked: number; focused: number };

let h: Harness;
let pages: Page[];

async function start(grant: boolean): Promise<void> {
  h = await startHarness();
  await h.context.addInitScript({ content: RECORDER });
  if (grant) await h.context.grantPermissions(['notifications'], { origin: new URL(h.sandbox.url).origin });
  pages = [await h.openWidget(), await h.openWidget()];
  await waitUntil('one relay connection', () => h.sandbox.relay.subscriberCount() === 1, { everyMs: 50 });
}

afterEach(async () => {
  await h?.close();
});

const recorded = (page: Page): Promise<Recorded> =>
  page.evaluate(() => {
    const d = (window as unknown as { __desktop: Recorded }).__desktop;
    return { notes: d.notes.map((n) => ({ ...n })), asked: d.asked, focused: d.focused };
  });
const allNotes = async (): Promise<Note[]> => (await Promise.all(pages.map(recorded))).flatMap((r) => r.notes);
/** Which tabs are looked at: `front` (or none) visible and focused, the others hidden, as a browser would say. */
const lookAt = async (front: Page | null) => {
  for (const page of pages) await page.evaluate((on) => (window as unknown as { __look(on: boolean): void }).__look(on), page === front);
};
const popups = async () => (await Promise.all(pages.map((p) => sandboxRecord(p)))).map((r) => r.calls.show_notification.length);
const addCalls = async () => (await Promise.all(pages.map((p) => sandboxRecord(p)))).reduce((n, r) => n + r.calls.add_call.length, 0);
/** The tab whose notifications list is not empty (the leader's). */
const pageWithNotes = async (): Promise<Page> => {
  for (const page of pages) if ((await recorded(page)).notes.length > 0) return page;
  throw new Error('no tab has a notification');
};

test('no tab visible: one notification per call across two tabs, closed on answer and on end', async () => {
  await start(true);
  await lookAt(null);

  const first = await h.ring(SEED_NUMBERS.adamNoah, '101');
  await waitUntil('a notification', async () => (await allNotes()).length >= 1, { everyMs: 50 });
  // The pop-up shows too (in the leader's tab, nobody looks at another one).
  await waitUntil('the pop-up', async () => (await popups()).reduce((a, b) => a + b, 0) === 1, { everyMs: 50 });
  expect(await allNotes()).toEqual([{ title: 'Incoming call: Adam Noah', body: '+1 830 580 3077', tag: `kommo-telephony:${first.callId}`, closed: false }]);
  await h.pbx({ action: 'answer', callId: first.callId });
  await waitUntil('closed on answer', async () => (await allNotes())[0]?.closed === true, { everyMs: 50 });
  await h.pbx({ action: 'hangup', callId: first.callId, duration: 5 });
  await waitUntil('the add_call', async () => (await addCalls()) === 1, { everyMs: 50 });

  const second = await h.ring(SEED_NUMBERS.unknown, '101');
  await waitUntil('the second notification', async () => (await allNotes()).length >= 2, { everyMs: 50 });
  expect((await allNotes())[1]).toMatchObject({ title: 'Incoming call: +1 202 555 0199', body: '', closed: false });
  await h.pbx({ action: 'hangup', callId: second.callId, result: 'missed' });
  await waitUntil('closed on end', async () => (await allNotes())[1]?.closed === true, { everyMs: 50 });
  await waitUntil('the second add_call', async () => (await addCalls()) === 2, { everyMs: 50 });
  // One per call, all in one tab; the missed-call pop-up brings none.
  expect(await allNotes()).toHaveLength(2);
  const leader = await pageWithNotes();
  expect((await recorded(pages.find((p) => p !== leader)!)).notes).toEqual([]);
  expect(h.pageErrors).toEqual([]);
});

test('a tab looked at, the leader or the other: the pop-up shows there and no notification comes', async () => {
  await start(true);
  // Each tab in front once: one of them leads (its own pop-up, in its visible tab), the other is routed to.
  for (const [i, front] of pages.entries()) {
    await lookAt(front);
    const call = await h.ring(SEED_NUMBERS.adamNoah, '101');
    await waitUntil(`the pop-up in tab ${i}`, async () => (await popups())[i] === 1, { everyMs: 50 });
    await h.pbx({ action: 'answer', callId: call.callId });
    await h.pbx({ action: 'hangup', callId: call.callId, duration: 5 });
    await waitUntil('the add_call', async () => (await addCalls()) === i + 1, { everyMs: 50 });
  }
  expect(await popups()).toEqual([1, 1]);
  expect(await allNotes()).toEqual([]);
  expect(h.pageErrors).toEqual([]);
});

test('its click focuses the tab, opens the card in the app and closes it', async () => {
  await start(true);
  await lookAt(null);
  await h.ring(SEED_NUMBERS.adamNoah, '101');
  await waitUntil('a notification', async () => (await allNotes()).length === 1, { everyMs: 50 });
  const leader = await pageWithNotes();
  await leader.evaluate(() => {
    const d = (window as unknown as { __desktop: { instances: EventTarget[] } }).__desktop;
    d.instances[0]!.dispatchEvent(new Event('click', { cancelable: true }));
  });
  await leader.waitForURL('**/contacts/detail/5760184');
  await expect(leader.locator('[data-testid=card-name]').innerText()).resolves.toBe('Adam Noah');
  const after = await recorded(leader);
  expect(after.focused).toBe(1);
  expect(after.notes[0]?.closed).toBe(true);
  // In-app: no reload, as the pop-up's own links navigate.
  expect((await sandboxRecord(leader)).navigations).toEqual([{ url: '/contacts/detail/5760184', inApp: true }]);
  expect(h.pageErrors).toEqual([]);
});

test('nothing is asked on page load; the first pop-up offers it and its click asks', async () => {
  await start(false);
  expect((await Promise.all(pages.map(recorded))).map((r) => r.asked)).toEqual([0, 0]);
  await lookAt(pages[1]!);
  await h.ring(SEED_NUMBERS.adamNoah, '101');
  const popup = await nthPopup(pages[1]!, 1);
  expect(popup.text).toContain('Show calls when Kommo is in the background');
  expect((await Promise.all(pages.map(recorded))).map((r) => r.asked)).toEqual([0, 0]);

  // Headless Chromium answers the request at once (denied): asked once, from the click, and the link goes.
  await pages[1]!.click('[data-testid=popup-text] [data-telephony-desktop]');
  await waitUntil('the link gone', async () => (await pages[1]!.locator('[data-telephony-desktop]').count()) === 0, { everyMs: 50 });
  expect((await recorded(pages[1]!)).asked).toBe(1);

  // The next pop-up carries no link: the browser has its answer.
  await h.ring(SEED_NUMBERS.kommoCompany, '101');
  expect((await nthPopup(pages[1]!, 2)).text).not.toContain('Show calls when Kommo is in the background');
  expect(await allNotes()).toEqual([]);
  expect(h.pageErrors).toEqual([]);
});

test('the settings block: opening it asks nothing, its button asks from the click and says what the browser decided', async () => {
  await start(false);
  const page = pages[0]!;
  await page.click('[data-testid=open-settings]');
  await page.waitForSelector('[data-testid=telephony-desktop-ask]');
  expect(await page.getAttribute('[data-testid=telephony-desktop]', 'data-permission')).toBe('default');
  expect((await recorded(page)).asked).toBe(0);
  await page.click('[data-testid=telephony-desktop-ask]');
  await waitUntil('the block updated', async () => (await page.getAttribute('[data-testid=telephony-desktop]', 'data-permission')) === 'denied', { everyMs: 50 });
  expect((await recorded(page)).asked).toBe(1);
  expect(await page.isVisible('[data-testid=telephony-desktop-ask]')).toBe(false);
  expect(await page.innerText('[data-testid=telephony-desktop-state]')).toContain('Blocked in this browser');
  expect(h.pageErrors).toEqual([]);
});
