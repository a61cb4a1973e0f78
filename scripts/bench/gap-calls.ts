/**
 * Calls filed after a gap (issue 12, "never lose a call"): while a TCP proxy between the page and
 * the sandbox relay cuts the widget off (tcp-proxy.ts: every connection dropped, new ones closed
 * on arrival; the relay keeps running and storing), `calls` calls ring and end at the relay.
 * Then the proxy lets connections through again; the widget resubscribes (WebSocket) or polls
 * with its position and must file each call exactly once (APP.notifications.add_call).
 * Both transports; real Chromium, the built widget.
 *
 * Run alone: npx tsx scripts/bench/gap-calls.ts [--calls 20]
 */
import type { Page } from 'playwright-core';
import { startHarness } from '../../test/support/browser';
import type { Harness } from '../../test/support/browser';
import { eventually } from '../../test/support/wait';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';
import { runStandalone } from './report/console';
import type { Figure, Section } from './report/types';
import { startTcpProxy } from './tcp-proxy';

export type GapTransport = 'ws' | 'poll';

export interface GapOptions {
  widgetDir?: string;
  /** Calls that ring and end during each cut. */
  calls: number;
  transports?: GapTransport[];
}

export interface GapResult {
  transport: GapTransport;
  calls: number;
  filedOnce: number;
  doubled: number;
  missing: number;
  cutMs: number;
}

const EXT = '101';
const POLL_INTERVAL_S = 3;
/** After the last add_call expected, how long to keep watching for a second one. */
const DOUBLES_WATCH_MS = 3000;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
const digits = (s: string) => s.replace(/\D/g, '');

/** Numbers nobody else in the benchmark calls (+1 646 5xx xxxx), so add_call entries are attributable. */
const gapNumber = (run: number, i: number) => {
  const line = String(5_000_000 + run * 1000 + i);
  return `+1 646 ${line.slice(0, 3)} ${line.slice(3)}`;
};

/** add_call entries so far: the string fields of the data the widget passed (from, to, text...). */
function filed(page: Page): Promise<string[][]> {
  return page.evaluate(() =>
    ((window as unknown as { __sandbox: { calls: { add_call: unknown[] } } }).__sandbox.calls.add_call ?? []).map((c) =>
      Object.values(c as Record<string, unknown>).filter((v): v is string => typeof v === 'string'),
    ),
  );
}

/** Entries naming this number in one of their fields (the number as the widget formats it, any punctuation). */
const timesFiled = (entries: string[][], phone: string) => {
  const key = digits(phone).slice(-10);
  return entries.filter((fields) => fields.some((f) => digits(f).includes(key))).length;
};

async function gapRun(h: Harness, transport: GapTransport, calls: number, run: number): Promise<GapResult> {
  const relayPort = Number(new URL(h.sandbox.relayUrl).port);
  const proxy = await startTcpProxy(relayPort);
  const base = `127.0.0.1:${proxy.port}`;
  const settings = transport === 'ws' ? { ws_url: `ws://${base}/ws` } : { ws_url: '', poll_url: `http://${base}/calls`, poll_interval: String(POLL_INTERVAL_S) };
  const page = await h.openWidget({ settings, popupMs: 1500 });
  try {
    // A call before the cut, filed: the widget is running and holds a position.
    const warm = gapNumber(run, 999);
    await h.pbx({ action: 'ring', phone: warm, extension: EXT, callId: `gap-${transport}-warm` });
    await pause(transport === 'ws' ? 300 : POLL_INTERVAL_S * 1000 + 300);
    await h.pbx({ action: 'hangup', callId: `gap-${transport}-warm`, duration: 3 });
    if (!(await eventually(async () => timesFiled(await filed(page), warm) === 1, { timeoutMs: 15_000, everyMs: 50 }))) throw new Error(`bench: ${transport}: the warm-up call was never filed`);

    const cutAt = Date.now();
    proxy.cut();
    await pause(300);
    const phones: string[] = [];
    for (let i = 0; i < calls; i++) {
      const phone = gapNumber(run, i);
      const callId = `gap-${transport}-${run}-${i}`;
      phones.push(phone);
      await h.pbx({ action: 'ring', phone, extension: EXT, callId });
      // Half answered then hung up, half missed: both kinds of completed call.
      if (i % 2 === 0) {
        await h.pbx({ action: 'answer', callId });
        await h.pbx({ action: 'hangup', callId, duration: 5 });
      } else {
        await h.pbx({ action: 'hangup', callId, duration: 0 });
      }
    }
    // The cut outlasts a poll interval (or several WebSocket attempts), so the widget sees it.
    await pause(cutAt + (transport === 'ws' ? 3000 : POLL_INTERVAL_S * 1000 + 2000) - Date.now());
    proxy.restore();
    const cutMs = Date.now() - cutAt;
    const allFiled = async () => {
      const entries = await filed(page);
      return phones.every((p) => timesFiled(entries, p) >= 1);
    };
    await eventually(allFiled, { timeoutMs: 20_000, everyMs: 50 });
    await pause(DOUBLES_WATCH_MS);
    const entries = await filed(page);
    const counts = phones.map((p) => timesFiled(entries, p));
    return {
      transport,
      calls,
      filedOnce: counts.filter((c) => c === 1).length,
      doubled: counts.filter((c) => c > 1).length,
      missing: counts.filter((c) => c === 0).length,
      cutMs,
    };
  } finally {
    await page.close();
    await proxy.close();
  }
}

export async function runGapCallsBench(options: GapOptions, log: (line: string) => void = () => {}): Promise<{ section: Section; results: GapResult[] }> {
  const transports = options.transports ?? ['ws', 'poll'];
  const h = await startHarness({ port: 0, ...(options.widgetDir ? { widgetDir: options.widgetDir } : {}) });
  const results: GapResult[] = [];
  try {
    for (const [run, transport] of transports.entries()) {
      const r = await gapRun(h, transport, options.calls, run);
      log(`gap calls ${transport}: ${r.filedOnce}/${r.calls} filed once, ${r.doubled} doubled, ${r.missing} missing (cut ${r.cutMs} ms)`);
      results.push(r);
    }
    if (h.pageErrors.length) log(`page errors: ${h.pageErrors.slice(0, 3).join('; ')}`);
  } finally {
    await h.close();
  }
  const figures: Figure[] = results.map((r) => ({
    label: `${r.transport === 'ws' ? 'WebSocket' : `Polling JSON (${POLL_INTERVAL_S} s)`}: calls that rang and ended while the widget was cut off, filed exactly once`,
    value: r.calls === 0 ? null : Math.round((r.filedOnce / r.calls) * 1000) / 10,
    unit: `% (${r.filedOnce} of ${r.calls} once; ${r.doubled} doubled; ${r.missing} never filed)`,
    method:
      `a TCP proxy between the page and the sandbox relay drops every connection and closes new ones on arrival for ${Math.round(r.cutMs / 100) / 10} s; meanwhile the sandbox PBX rings ${r.calls} calls on extension ${EXT} (distinct numbers) and ends them at the relay, half answered (5 s), half missed; ` +
      `then the proxy passes connections again; add_call entries in the page are matched by number until every call is filed (20 s at most) and ${DOUBLES_WATCH_MS / 1000} s longer for doubles; the widget had filed one call before the cut (it holds a position); the relay kept running (same epoch)`,
  }));
  return { section: { title: 'Calls after a gap (Chromium)', figures }, results };
}

if (require.main === module) {
  const { values } = readCommandLine(
    defineCommand({
      name: 'bench-gap-calls',
      usage: 'npx tsx scripts/bench/gap-calls.ts [flags]',
      summary: 'Calls filed after a gap alone: calls ring and end while a proxy cuts the widget off the sandbox\nrelay (WebSocket, then polling); each must be filed once.',
      flags: { calls: { type: 'integer', value: 'n', min: 1, max: 500, default: 20, description: 'calls during each cut' } },
      environment: [
        ['CHROMIUM_PATH', 'the browser (default /usr/bin/chromium)'],
        ['E2E_WIDGET_DIR', 'the built widget (default dist/widget)'],
      ],
    }),
  );
  runStandalone(async () => (await runGapCallsBench({ calls: values.calls ?? 20 }, (l) => console.log(l))).section);
}
