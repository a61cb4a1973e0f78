/**
 * The widget in real Chromium inside the sandbox: calls from the simulated PBX go through the
 * relay, the widget looks the caller up in the simulated CRM and talks to the page's APP double.
 */
import { SEED_NUMBERS } from '../../scripts/crm';
import { nthPopup, sandboxRecord, startHarness } from '../support/browser';
import type { Harness } from '../support/browser';

jest.setTimeout(60_000);

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h?.close();
});

test('an inbound call pops up with the caller name and the click opens the right card', async () => {
  const page = await h.openWidget({ user: '101' });
  await h.ring(SEED_NUMBERS.adamNoah, '101');

  const popup = await nthPopup(page, 1);
  expect(popup.header).toContain('830 580 3077');
  expect(popup.text).toContain('Adam Noah');

  await page.locator('[data-testid=popup-text] a', { hasText: 'Adam Noah' }).click();
  await page.waitForURL('**/contacts/detail/5760184');
  await expect(page.locator('[data-testid=card-name]').innerText()).resolves.toBe('Adam Noah');

  const record = await sandboxRecord(page);
  // In-app navigation (js-navigate-link): no reload, page:changed fired, init ran once (init_once).
  expect(record.navigations).toEqual([{ url: '/contacts/detail/5760184', inApp: true }]);
  expect(record.pageChanged).toBe(1);
  expect(record.lifecycle.filter((c) => c === 'init')).toHaveLength(1);
  expect(record.lifecycle.filter((c) => c === 'render')).toHaveLength(2);

  // Still listening after the area change: the next call pops up too.
  await h.ring(SEED_NUMBERS.kommoCompany, '101');
  expect((await nthPopup(page, 2)).text).toContain('Kommo');
  expect(record.errors).toEqual([]);
  expect(h.pageErrors).toEqual([]);
});

test('a caller whose company has one active lead pops up the lead and links both cards', async () => {
  const page = await h.openWidget();
  await h.ring(SEED_NUMBERS.lamaCompany, '101');
  const popup = await nthPopup(page, 1);
  expect(popup.text).toContain('First patch');
  expect(popup.text).toContain('Lama Company');
  const hrefs = await page.locator('[data-testid=popup-text] a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(hrefs).toEqual(expect.arrayContaining(['/leads/detail/5102790', '/companies/detail/6811297']));
  await page.locator('[data-testid=popup-text] a[href="/leads/detail/5102790"]').click();
  await expect(page.locator('[data-testid=card-name]').innerText()).resolves.toBe('First patch');
});

test('an unknown number offers a new contact with the number filled in', async () => {
  const page = await h.openWidget();
  await h.ring(SEED_NUMBERS.unknown, '101');
  const popup = await nthPopup(page, 1);
  expect(popup.header).toContain('202 555 0199');
  const link = page.locator('[data-testid=popup-text] a[href^="/contacts/add/"]');
  await expect(link.count()).resolves.toBe(1);
  await link.click();
  await page.waitForSelector('[data-testid=new-contact]');
  const phone = await page.locator('[data-testid=new-contact-phone]').inputValue();
  expect(phone.replace(/\D/g, '')).toBe('12025550199');
  expect(h.pageErrors).toEqual([]);
});

test('a completed call lands under the bell with its duration and recording, and opens the card', async () => {
  const page = await h.openWidget();
  const call = await h.ring(SEED_NUMBERS.adamNoah, '101');
  await nthPopup(page, 1);
  await h.pbx({ action: 'answer', callId: call.callId });
  const ended = await h.pbx({ action: 'hangup', callId: call.callId, recording: true, duration: 65 });
  expect(ended.recordingUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/recordings\/.+\.wav$/);

  await page.waitForSelector('[data-testid=bell-count]:not([hidden])');
  await expect(page.locator('[data-testid=bell-count]').innerText()).resolves.toBe('1');
  await page.click('[data-testid=bell]');
  const entry = page.locator('[data-testid=bell-entry]');
  await expect(entry.count()).resolves.toBe(1);
  await expect(entry.locator('[data-testid=bell-text]').innerText()).resolves.toContain('Adam Noah');
  await expect(entry.locator('[data-testid=bell-duration]').innerText()).resolves.toBe('1:05');
  await expect(entry.locator('[data-testid=bell-recording]').getAttribute('href')).resolves.toBe(ended.recordingUrl);

  const record = await sandboxRecord(page);
  expect(record.calls.add_call).toHaveLength(1);
  expect(record.calls.add_call[0]).toMatchObject({ duration: 65, link: ended.recordingUrl, element: { id: 5760184, type: 'contact' } });

  // The recording link plays something real.
  const audio = await page.request.get(ended.recordingUrl!);
  expect(audio.status()).toBe(200);
  expect(audio.headers()['content-type']).toBe('audio/wav');

  await entry.locator('[data-testid=bell-open]').click();
  await page.waitForURL('**/contacts/detail/5760184');
  await expect(page.locator('[data-testid=card-name]').innerText()).resolves.toBe('Adam Noah');
});

test('an outbound call pops up the called party and files the completed call', async () => {
  const page = await h.openWidget();
  const call = await h.ring(SEED_NUMBERS.kommoCompany, '101', 'outbound');
  const popup = await nthPopup(page, 1);
  expect(popup.text).toContain('Kommo');
  expect(popup.header).not.toMatch(/incoming/i);

  await h.pbx({ action: 'answer', callId: call.callId });
  await h.pbx({ action: 'hangup', callId: call.callId, duration: 30 });
  await page.waitForSelector('[data-testid=bell-count]:not([hidden])');
  await page.click('[data-testid=bell]');
  const entry = page.locator('[data-testid=bell-entry]').first();
  await expect(entry.locator('[data-testid=bell-text]').innerText()).resolves.toContain('Kommo');
  await expect(entry.locator('[data-testid=bell-duration]').innerText()).resolves.toBe('0:30');
  const record = await sandboxRecord(page);
  expect(record.calls.add_call[0]).toMatchObject({ element: { id: 6811296, type: 'company' } });
});

test("another extension's calls do not reach this user", async () => {
  const page = await h.openWidget({ user: '101' });
  await h.ring(SEED_NUMBERS.sharedContacts, '102');
  await h.ring(SEED_NUMBERS.adamNoah, '101');
  // The relay delivers in order on one socket: had ext 102's call been routed here, it would be first.
  expect((await nthPopup(page, 1)).text).toContain('Adam Noah');
  await expect(page.locator('[data-testid=popup]').count()).resolves.toBe(1);
  const record = await sandboxRecord(page);
  expect(record.calls.show_notification).toHaveLength(1);
});
