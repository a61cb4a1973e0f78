/**
 * The Kommo double's `$authorizedAjax` in real Chromium, as the widget calls it from the sandbox
 * page: a one-time token for the signed-in sandbox user in `X-Auth-Token`, a cross-origin POST to
 * the relay's /ticket (the browser's CORS preflight included), a jQuery promise that resolves with
 * the answer or rejects with the jqXHR; the ticket then opens that user's extension only.
 */
import type { Page } from 'playwright-core';
import { startHarness } from '../../support/browser';
import type { Harness } from '../../support/browser';
import { SANDBOX_USERS } from '../../../scripts/sandbox/users';

jest.setTimeout(60_000);

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ legacyToken: false });
});
afterEach(async () => {
  await h?.close();
});

/** The instance Kommo built from script.js, with its helpers on `this` (window.__sandbox.widget). */
async function openAs(userId: number): Promise<Page> {
  const page = await h.openWidget({ user: userId, waitReady: false });
  await page.waitForFunction(() => (window as unknown as { __sandbox?: { widget: unknown } }).__sandbox?.widget != null);
  return page;
}

type AjaxOutcome = { ok: true; answer: Record<string, unknown> } | { ok: false; status: number };

function authorizedAjax(page: Page, url: string, method: string): Promise<AjaxOutcome> {
  return page.evaluate(
    async ([target, verb]) => {
      const widget = (window as unknown as { __sandbox: { widget: { $authorizedAjax(o: object): PromiseLike<Record<string, unknown>> } } }).__sandbox.widget;
      try {
        return { ok: true as const, answer: await widget.$authorizedAjax({ url: target, method: verb, dataType: 'json' }) };
      } catch (error) {
        return { ok: false as const, status: (error as { status: number }).status };
      }
    },
    [url, method] as const,
  );
}

test('a ticket for the signed-in user, across origins, and that user\'s extension only', async () => {
  const bruno = SANDBOX_USERS[1]!;
  const page = await openAs(bruno.id);
  const outcome = await authorizedAjax(page, `${h.sandbox.relayUrl}/ticket`, 'POST');
  expect(outcome).toEqual({ ok: true, answer: { v: 2, ticket: expect.any(String), expires_in: 600, user_id: String(bruno.id), extensions: [bruno.extension] } });
  if (!outcome.ok) throw new Error(`POST /ticket failed: ${outcome.status}`);
  const ticket = outcome.answer.ticket as string;

  const frames = await page.evaluate(
    async ([url, t, own, other]) => {
      const first = (extensions: string[]) =>
        new Promise<{ frame: unknown; code: number | null }>((resolve) => {
          const ws = new WebSocket(url);
          let frame: unknown = null;
          ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', v: 2, ticket: t, extensions }));
          ws.onmessage = (event) => {
            frame = JSON.parse(String(event.data));
            if ((frame as { type: string }).type === 'snapshot') {
              ws.close();
              resolve({ frame, code: null });
            }
          };
          ws.onclose = (event) => resolve({ frame, code: event.code });
        });
      return [await first([own]), await first([other])];
    },
    [h.sandbox.wsUrl, ticket, bruno.extension, SANDBOX_USERS[0]!.extension] as const,
  );
  expect(frames[0]).toMatchObject({ frame: { type: 'snapshot', v: 2 }, code: null });
  expect(frames[1]).toEqual({ frame: { type: 'error', code: 'forbidden_extension', extensions: [SANDBOX_USERS[0]!.extension] }, code: 4403 });
});

test('a failed request rejects with the jqXHR, as $.ajax does', async () => {
  const page = await openAs(SANDBOX_USERS[0]!.id);
  expect(await authorizedAjax(page, `${h.sandbox.relayUrl}/ticket`, 'GET')).toEqual({ ok: false, status: 405 });
  expect(await authorizedAjax(page, `${h.sandbox.relayUrl}/nowhere`, 'POST')).toEqual({ ok: false, status: 0 });
});
