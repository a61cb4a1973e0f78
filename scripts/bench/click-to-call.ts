/**
 * Click-to-call latency (issue 14): from the manager's click in Chromium to the PBX starting the
 * call, through the relay. A section of `npm run bench` (run.ts); alone:
 * `npx tsx scripts/bench/click-to-call.ts [--clicks N]`.
 *
 * Method: the sandbox (its relay with per-user tickets, the generic HTTP adapter, the simulated
 * PBX's originate endpoint) and the built widget in headless Chromium, on one machine. Each
 * sample clicks a "Call back" link with a number of its own (the double-click rule stops a
 * repeat of one number within 2 s; the relay's per-user limit is off for the run): the time
 * is Date.now() in the page just before the click to the simulated PBX creating the call
 * (its `startedAt`, Date.now() in the benchmark's process). That covers the widget (gate,
 * normalisation, "Calling..." message), Kommo's `$authorizedAjax` (the double fetches a one-time
 * token first, as Kommo's does), the relay (token check, rules) and the adapter's POST to the PBX.
 * Reference, same run: the relay alone, `POST /originate` from Node with a one-time token fetched
 * beforehand, to the PBX creating the call.
 *
 * One click at a time, as a manager clicks: the next one waits until the widget has handled this
 * one's answer (its log line), not only until the answer crossed the network: the gate
 * (src/dial/gate.ts) holds until then (the host's jQuery promise settles a timer later), and a
 * click on another number before that is answered "Still starting your previous call", with
 * nothing sent.
 */
import { startHarness, waitUntil } from '../../test/support/browser';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';
import { SANDBOX_USERS } from '../sandbox/users';
import { runStandalone } from './report/console';
import { PERCENTILE_METHOD, summarize } from './report/stats';
import type { LatencySeries, Section } from './report/types';
import type { Page } from 'playwright-core';

export const CLICKS = 50;
const ALICE = SANDBOX_USERS[0]!;

/** A distinct US number per sample (as typed, and as the PBX gets it). */
const numberFor = (i: number, block = '555') => `+1 646 ${block} ${String(1000 + i).slice(-4)}`;
const e164 = (typed: string) => typed.replace(/ /g, '');

/** What `find` finds, polled every 2 ms (the figures are milliseconds), within waitUntil's 20 s. */
async function until<T>(what: string, find: () => T | undefined): Promise<T> {
  let found: T | undefined;
  await waitUntil(what, () => (found = find()) !== undefined, { everyMs: 2 });
  return found as T;
}

/** What the widget logs once it has handled a click's answer (src/dial/dialer.ts): its gate is free again. */
const DIAL_HANDLED = /^\[telephony\] dial: (the PBX is calling|refused)/;

/** The widget's messages about `number` so far ("Calling ...", "Still starting ..."), for a failure's error. */
async function messagesAbout(page: Page, number: string): Promise<string[]> {
  return page.evaluate((n) => {
    const calls = (window as unknown as { __sandbox: { calls: Record<string, { header?: string; text?: string }[]> } }).__sandbox.calls;
    return [...calls.show_message!, ...calls.show_message_error!].filter((m) => m.header?.includes(n)).map((m) => String(m.text));
  }, number);
}

const series = (name: string, samples: number[], method: string): LatencySeries => ({ name, samplesMs: samples, summary: summarize(samples), missing: 0, method });

export async function runClickToCallBench(clicks = CLICKS, log: (line: string) => void = () => undefined): Promise<Section> {
  const h = await startHarness({ legacyToken: false, originateIntervalMs: 0 });
  try {
    const page = await h.openWidget({ user: ALICE.id });
    await until('the widget subscribed', () => (h.sandbox.relay.subscribedCount() === 1 ? true : undefined));
    const outbound = () => h.sandbox.pbx.calls().filter((c) => c.direction === 'outbound');
    const clickSamples: number[] = [];
    const relaySamples: number[] = [];
    const hangUp = async (callId: string) => {
      await h.pbx({ action: 'hangup', callId });
    };
    // Warm-up: leader.js is loaded (this tab leads), the connections to the relay and the PBX are open.
    for (let i = 0; i < clicks + 3; i += 1) {
      const number = numberFor(i);
      // The next click waits until the widget handled this one's answer: one click-to-call at a time per tab (src/dial/gate.ts).
      const answered = page.waitForResponse((r) => r.url().endsWith('/originate') && r.request().method() === 'POST');
      const handled = page.waitForEvent('console', { predicate: (m) => DIAL_HANDLED.test(m.text()), timeout: 20_000 });
      // Awaited below; if a step before fails, the page's close must not reject them unhandled.
      answered.catch(() => undefined);
      handled.catch(() => undefined);
      const clickedAt = await page.evaluate((dial) => {
        const link = document.createElement('a');
        link.href = '#';
        link.className = 'js-telephony-dial';
        link.setAttribute('data-telephony-dial', dial);
        document.body.appendChild(link);
        const at = Date.now();
        link.click();
        link.remove();
        return at;
      }, number);
      const call = await until(`the PBX call for ${number}`, () => outbound().find((c) => c.phone === e164(number))).catch(async (error: unknown) => {
        throw new Error(`click ${i} (${number}) started no call; the widget said: ${JSON.stringify(await messagesAbout(page, number))}`, { cause: error });
      });
      if (i >= 3) clickSamples.push(call.startedAt - clickedAt);
      if ((await answered).status() !== 200) throw new Error(`the relay refused click ${i}`);
      await handled;
      await hangUp(call.callId);
    }
    log(`click-to-call: ${clickSamples.length} clicks measured`);
    // The relay alone, from Node.
    for (let i = 0; i < clicks + 3; i += 1) {
      const tokenAnswer = await fetch(new URL(`/sandbox/one-time-token?user_id=${ALICE.id}`, h.sandbox.url));
      const { token } = (await tokenAnswer.json()) as { token: string };
      const number = e164(numberFor(i, '556'));
      const sentAt = Date.now();
      const res = await fetch(`${h.sandbox.relayUrl}/originate`, { method: 'POST', headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' }, body: JSON.stringify({ number }) });
      if (res.status !== 200) throw new Error(`POST /originate answered ${res.status}: ${await res.text()}`);
      const call = await until(`the PBX call for ${number}`, () => outbound().find((c) => c.phone === number));
      if (i >= 3) relaySamples.push(call.startedAt - sentAt);
      await hangUp(call.callId);
    }
    const click = series('click in Chromium -> the PBX starts the call', clickSamples, `${clickSamples.length} clicks after 3 warm-up ones, each on a number of its own; Date.now() in the page before the click -> the simulated PBX's call startedAt (Date.now() in this process); ${PERCENTILE_METHOD}`);
    const relay = series('POST /originate from Node -> the PBX starts the call (reference: the relay and the adapter alone)', relaySamples, `${relaySamples.length} POSTs after 3 warm-up ones, one-time token fetched before the clock starts; ${PERCENTILE_METHOD}`);
    const figures = [click, relay].flatMap((s) => [
      { label: `${s.name}: p50`, value: s.summary.p50, unit: `ms (p95 ${s.summary.p95} ms, max ${s.summary.max} ms)`, method: s.method },
    ]);
    return { title: 'Click-to-call: click -> PBX (Chromium, the sandbox relay)', figures, latency: [click, relay] };
  } finally {
    await h.close();
  }
}

if (require.main === module) {
  const { values } = readCommandLine(
    defineCommand({
      name: 'bench-click-to-call',
      usage: 'npx tsx scripts/bench/click-to-call.ts [flags]',
      summary: 'Click-to-call latency: a click in Chromium (and a POST from Node) to the simulated PBX starting the call; prints its section.',
      flags: { clicks: { type: 'integer', value: 'n', min: 1, max: 10_000, default: CLICKS, description: 'clicks (and POSTs) measured' } },
    }),
  );
  runStandalone(() => runClickToCallBench(values.clicks ?? CLICKS, console.log));
}
