/**
 * The XSS corpus through the whole path in real Chromium (issue 8): CRM entity names and PBX
 * phone numbers that are HTML/script payloads go PBX -> relay -> widget -> by_phone -> pop-up ->
 * bell, in the sandbox (test/support/browser.ts). The sandbox page renders the pop-up's header and
 * text with innerHTML, as Kommo's notification does. Nothing may run: `window.__pwned` stays
 * undefined, no dialog opens, no element in the pop-ups or the bell carries an on* attribute or
 * a javascript:/data: link, and the payload shows as text.
 */
import type { Page } from 'playwright-core';
import { createSeedAccount, SEED_USERS } from '../../scripts/crm';
import type { CrmAccount } from '../../scripts/crm';
import { nthPopup, sandboxRecord, startHarness } from '../support/browser';
import type { Harness } from '../support/browser';
import { ACCEPTED_RECORDING_URLS, NAME_PAYLOADS, PHONE_PAYLOADS, REFUSED_RECORDING_URLS } from '../src/feed/corpus';

jest.setTimeout(90_000);

const T0 = 1_700_000_000;
/** One number per payload contact: distinct last 7 digits (by_phone matches on them), none in the seed. */
const NAME_NUMBERS = NAME_PAYLOADS.map((_, i) => `+1 646 700 ${1000 + i}`);
const LEAD_NUMBER = '+1 646 700 2000';
const LEAD_NAME = NAME_PAYLOADS[1]!;
const COMPANY_NAME = NAME_PAYLOADS[0]!;

function payloadSeed(): CrmAccount {
  const seed = createSeedAccount();
  NAME_PAYLOADS.forEach((name, i) => {
    seed.contacts.push({ id: 7_000_000 + i, name, phones: [NAME_NUMBERS[i]!], createdAt: T0, responsibleUserId: SEED_USERS.manager });
  });
  // A company with one active lead: the pop-up shows both names ("Lead: X" and "Company: Y").
  seed.companies.push({ id: 7_100_000, name: COMPANY_NAME, phones: [LEAD_NUMBER], createdAt: T0, responsibleUserId: SEED_USERS.manager });
  seed.leads.push({ id: 7_200_000, name: LEAD_NAME, active: true, contactIds: [], companyIds: [7_100_000], createdAt: T0, responsibleUserId: SEED_USERS.manager });
  return seed;
}

let h: Harness;
let page: Page;
let dialogs: string[];

beforeEach(async () => {
  h = await startHarness({ crmSeed: payloadSeed() });
  dialogs = [];
  h.context.on('page', (p) => p.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => {});
  }));
  page = await h.openWidget({ user: '101' });
});
afterEach(async () => {
  await h?.close();
});

/**
 * Everything a user could trigger (hover, focus, click without following, toggles) on every element
 * of the pop-ups and the bell, then a control image with a broken src whose onerror must fire: once
 * it has, any payload image inserted before it has had its chance to fire too. No sleeping.
 */
async function provokeAndInspect(p: Page): Promise<{ pwned: unknown; bad: string[] }> {
  await p.evaluate(() => {
    const scope = document.querySelectorAll('[data-testid=popup] *, [data-testid=bell-entries] *');
    for (const el of Array.from(scope)) {
      for (const type of ['mouseover', 'mouseenter', 'focus', 'toggle', 'load', 'error']) el.dispatchEvent(new Event(type));
    }
    const control = document.createElement('div');
    control.innerHTML = `<img src="/no-such-image-${Math.random()}" onerror="window.__control = 1">`;
    document.body.appendChild(control);
  });
  await p.waitForFunction(() => (window as unknown as { __control?: number }).__control === 1);
  return p.evaluate(() => {
    const bad: string[] = [];
    const DANGEROUS_TAGS = new Set(['SCRIPT', 'IMG', 'SVG', 'IFRAME', 'DETAILS', 'STYLE', 'FORM', 'OBJECT', 'EMBED', 'MATH', 'svg', 'math']);
    for (const el of Array.from(document.querySelectorAll('[data-testid=popup] *, [data-testid=bell-entries] *'))) {
      if (DANGEROUS_TAGS.has(el.tagName)) bad.push(`<${el.tagName}> element`);
      for (const attr of Array.from(el.attributes)) {
        if (/^on/i.test(attr.name)) bad.push(`${el.tagName} ${attr.name}=${attr.value}`);
        if (/^(href|src|action|formaction|xlink:href|srcdoc)$/i.test(attr.name) && /^\s*(javascript|data|vbscript):/i.test(attr.value)) {
          bad.push(`${el.tagName} ${attr.name}=${attr.value}`);
        }
      }
    }
    return { pwned: (window as unknown as { __pwned?: unknown }).__pwned, bad };
  });
}

async function expectInert(p: Page): Promise<void> {
  const { pwned, bad } = await provokeAndInspect(p);
  expect(pwned).toBeUndefined();
  expect(bad).toEqual([]);
  expect(dialogs).toEqual([]);
  expect(h.pageErrors).toEqual([]);
}

test('CRM names that are HTML/script payloads pop up as literal text in real Chromium: nothing runs, no dialog, no on* attribute or javascript: link', async () => {
  for (const [i, name] of NAME_PAYLOADS.entries()) {
    await h.ring(NAME_NUMBERS[i]!, '101');
    const popup = await nthPopup(page, i + 1);
    expect(popup.text).toContain(name);
    // The name is the one link, to the card by its numeric id.
    const hrefs = await page.locator('[data-testid=popup]').nth(i).locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual([`/contacts/detail/${7_000_000 + i}`]);
  }
  await h.ring(LEAD_NUMBER, '101');
  const lead = await nthPopup(page, NAME_PAYLOADS.length + 1);
  expect(lead.text).toContain(LEAD_NAME);
  expect(lead.text).toContain(COMPANY_NAME);
  await expectInert(page);
});

test('PBX phone numbers that are payloads pop up inert, shown as text', async () => {
  for (const [i, phone] of PHONE_PAYLOADS.entries()) {
    await h.ring(phone, '101');
    const popup = await nthPopup(page, i + 1);
    expect(`${popup.header}\n${popup.text}`).toContain(phone);
  }
  await expectInert(page);
  const record = await sandboxRecord(page);
  expect(record.calls.show_notification).toHaveLength(PHONE_PAYLOADS.length);
});

test('after hang-up the bell entries of payload-named callers are inert; the text the widget filed shows the name literally once rendered as HTML', async () => {
  const shown = NAME_PAYLOADS.slice(0, 4);
  for (let i = 0; i < shown.length; i++) {
    const call = await h.ring(NAME_NUMBERS[i]!, '101');
    await nthPopup(page, i + 1);
    await h.pbx({ action: 'answer', callId: call.callId });
    await h.pbx({ action: 'hangup', callId: call.callId, duration: 5, recording: true });
  }
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=bell-entry]').length === n, shown.length);
  await page.click('[data-testid=bell]');
  const record = await sandboxRecord(page);
  expect(record.calls.add_call).toHaveLength(shown.length);
  // add_call's text is escaped HTML (src/notify/types.ts): parsed inertly (DOMParser runs nothing), it reads as the name.
  const texts = await page.evaluate(
    (calls) => calls.map((c) => new DOMParser().parseFromString(String((c as { text: string }).text), 'text/html').body.textContent ?? ''),
    record.calls.add_call,
  );
  for (const name of shown) expect(texts.filter((t) => t.includes(name))).toHaveLength(1);
  // The bell renders add_call's text as HTML, as Kommo's centre does: the user reads each name
  // literally, and nothing in it is live.
  const bell = await page.locator('[data-testid=bell-text]').allInnerTexts();
  expect(bell).toHaveLength(shown.length);
  // Each ends with its "Call back" link (src/notify/call-back.ts), on a line of its own.
  for (const text of bell) expect(text).toMatch(/^Incoming call from .+, 0:05\s*Call back$/);
  for (const name of shown) expect(bell.filter((t) => t.includes(name))).toHaveLength(1);
  await expectInert(page);
});

test('recording URLs: javascript:/data:/vbscript: are refused by the relay; http(s) URLs carrying payloads reach the bell as an inert link with exactly that href', async () => {
  const post = (event: Record<string, unknown>) =>
    fetch(`${h.sandbox.relayUrl}/pbx/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${h.sandbox.tokens.pbxToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(event),
    });
  const base = { direction: 'inbound', phone: NAME_NUMBERS[0], extension: '101' };
  for (const [i, url] of REFUSED_RECORDING_URLS.entries()) {
    const res = await post({ ...base, call_id: `refused-${i}`, state: 'ended', duration: 5, recording_url: url });
    expect([res.status, url]).toEqual([400, url]);
  }
  for (const [i, url] of ACCEPTED_RECORDING_URLS.entries()) {
    expect((await post({ ...base, call_id: `rec-${i}`, state: 'ringing' })).status).toBe(200);
    await nthPopup(page, i + 1);
    expect((await post({ ...base, call_id: `rec-${i}`, state: 'ended', duration: 7, result: 'answered', recording_url: url })).status).toBe(200);
  }
  await page.waitForFunction((n) => (window as unknown as { __sandbox: { calls: { add_call: unknown[] } } }).__sandbox.calls.add_call.length === n, ACCEPTED_RECORDING_URLS.length);
  // The widget files the URL in its parsed form: quotes and angle brackets percent-encoded.
  const filed = (await sandboxRecord(page)).calls.add_call as Array<{ link?: string }>;
  expect(filed.map((c) => c.link)).toEqual(ACCEPTED_RECORDING_URLS.map((u) => new URL(u).href));
  for (const c of filed) expect(c.link).not.toMatch(/[<>"\s]/);
  // One contact: Kommo keeps one bell entry per element, so the last call's entry is the one shown.
  await page.click('[data-testid=bell]');
  const link = page.locator('[data-testid=bell-recording]').first();
  await expect(link.getAttribute('href')).resolves.toBe(new URL(ACCEPTED_RECORDING_URLS[ACCEPTED_RECORDING_URLS.length - 1]!).href);
  const attributes = await link.evaluate((a) => Array.from(a.attributes).map((x) => x.name).sort());
  expect(attributes).toEqual(['data-testid', 'href', 'rel', 'target']);
  await expectInert(page);
});
