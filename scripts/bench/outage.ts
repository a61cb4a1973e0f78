/**
 * The outage table (issue 12): the relay is down for 1.5 s, 5 s, 12 s and 60 s, then back; the
 * figure is the time from the relay listening again to the widget subscribed again (its
 * snapshot arrived), worst of `runs` each. Real Chromium, the built widget in the sandbox; the
 * sandbox's restartRelay({ downMs }) closes every socket and the port, waits, listens again.
 * A naive client (page-sockets.ts: one WebSocket, a new attempt 1 s after every close) goes
 * through the same outages, for comparison, in a browser of its own: Chromium lets one socket
 * per endpoint connect at a time (RFC 6455 4.1) and delays reporting a failed attempt, so two
 * clients in one browser hold each other back and the table would measure that instead.
 *
 * One page for every run: a visible tab should reconnect as fast after its tenth outage as
 * after its first (docs/call-feed-protocol.md, "Reconnect timing").
 *
 * Run alone: npx tsx scripts/bench/outage.ts [--runs 3]
 */
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath, startHarness } from '../../test/support/browser';
import { eventually } from '../../test/support/wait';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';
import { recordSnapshots, recordSnapshotsNow, startNaiveClient, subscribedLog } from './page-sockets';
import { runStandalone } from './report/console';
import type { Figure, Section } from './report/types';

export const OUTAGES_MS = [1500, 5000, 12_000, 60_000];

export interface OutageOptions {
  widgetDir?: string;
  /** Outages of each length (the figure is the worst). */
  runs: number;
  outagesMs?: number[];
  /** Run the naive client alongside, in its own browser (default true). */
  naive?: boolean;
}

export interface OutageRow {
  downMs: number;
  /** Relay listening again -> snapshot in the widget's socket, per run (null: not within 15 s). */
  widgetMs: Array<number | null>;
  naiveMs: Array<number | null>;
  /** The widget's connection attempts around the return, per run: ms from listening of the last one before and the first one after. */
  attempts: Array<{ lastBefore: number | null; firstAfter: number | null; during: number }>;
}

export interface OutageResult {
  section: Section;
  rows: OutageRow[];
}

const NAIVE_EXTENSION = '199';
const BACK_WITHIN_MS = 15_000;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

const worst = (list: Array<number | null>): number | null => (list.length === 0 || list.some((v) => v === null) ? null : Math.max(...(list as number[])));
const attemptsShown = (r: OutageRow) => r.attempts.map((a) => `${a.during} while down, last ${a.lastBefore ?? 'n/a'} / next ${a.firstAfter ?? 'n/a'} ms`).join('; ');
const shown = (list: Array<number | null>) => list.map((v) => (v === null ? `none in ${BACK_WITHIN_MS / 1000} s` : `${v}`)).join(', ');

export async function runOutageBench(options: OutageOptions, log: (line: string) => void = () => {}): Promise<OutageResult> {
  const outages = options.outagesMs ?? OUTAGES_MS;
  const h = await startHarness({ port: 0, ...(options.widgetDir ? { widgetDir: options.widgetDir } : {}) });
  const rows: OutageRow[] = [];
  const naive = options.naive ?? true;
  const naiveBrowser = naive ? await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS }) : null;
  try {
    await recordSnapshots(h.context);
    const page = await h.openWidget({ popupMs: 1500 });
    const naivePage = naiveBrowser ? await naiveBrowser.newPage() : null;
    if (naivePage) {
      // A page of the sandbox's origin (a static file of the widget's folder, no widget running):
      // the relay allows WebSocket upgrades only from the account's origins, and about:blank sends `null`.
      await naivePage.goto(`${h.sandbox.url}widget/manifest.json`);
      await recordSnapshotsNow(naivePage);
      await startNaiveClient(naivePage, h.sandbox.wsUrl, h.sandbox.tokens.token, NAIVE_EXTENSION);
    }
    /** The widget's log from its page, the naive client's from its own. */
    const logs = async () => {
      const widget = await subscribedLog(page);
      return { ...widget, naive: naivePage ? (await subscribedLog(naivePage)).naive : [] };
    };
    const both = async (after: { widget: number; naive: number }) => {
      const now = await logs();
      return now.widget.length > after.widget && (!naive || now.naive.length > after.naive);
    };
    if (!(await eventually(() => both({ widget: 0, naive: 0 }), { timeoutMs: 15_000, everyMs: 50 }))) throw new Error('bench: the widget or the naive client never subscribed');
    for (const downMs of outages) {
      const row: OutageRow = { downMs, widgetMs: [], naiveMs: [], attempts: [] };
      for (let i = 0; i < options.runs; i++) {
        // A random moment after the last subscribe, so the naive client's 1 s cycle is not in phase.
        await pause(500 + Math.random() * 1000);
        const before = await logs();
        await h.sandbox.restartRelay({ downMs });
        const listening = Date.now();
        await eventually(() => both({ widget: before.widget.length, naive: before.naive.length }), { timeoutMs: BACK_WITHIN_MS, everyMs: 20 });
        const after = await logs();
        const since = (list: number[], from: number) => (list.length > from ? (list[from] as number) - listening : null);
        row.widgetMs.push(since(after.widget, before.widget.length));
        row.naiveMs.push(since(after.naive, before.naive.length));
        const tries = after.attempts.slice(before.attempts.length).map((t) => t - listening);
        const lastBefore = tries.filter((t) => t <= 0).pop() ?? null;
        row.attempts.push({ lastBefore, firstAfter: tries.find((t) => t > 0) ?? null, during: tries.filter((t) => t <= 0).length });
        // Both back before the next outage (one that missed the 15 s gets longer to come back).
        await eventually(() => both({ widget: before.widget.length, naive: before.naive.length }), { timeoutMs: 60_000, everyMs: 50 });
      }
      log(`outage ${downMs / 1000} s: widget ${shown(row.widgetMs)} ms;${naive ? ` naive ${shown(row.naiveMs)} ms;` : ''} widget attempts ${attemptsShown(row)}`);
      rows.push(row);
    }
    if (h.pageErrors.length) log(`page errors: ${h.pageErrors.slice(0, 3).join('; ')}`);
  } finally {
    await naiveBrowser?.close();
    await h.close();
  }
  const figures: Figure[] = rows.map((r) => {
    const w = worst(r.widgetMs);
    const n = worst(r.naiveMs);
    return {
      label: `Relay down ${r.downMs / 1000} s, then back -> widget subscribed again (worst of ${r.widgetMs.length})`,
      value: w,
      unit: `ms (each: ${shown(r.widgetMs)} ms); naive client retrying every 1 s: worst ${n === null ? 'n/a' : n} ms (each: ${shown(r.naiveMs)} ms)`,
      method:
        `sandbox restartRelay({ downMs: ${r.downMs} }): every socket and the relay's port closed, ${r.downMs} ms later a new relay (in memory, a new epoch) listens on the same port; ` +
        "from Date.now() in the benchmark as listen() returns to Date.now() in the page when a snapshot frame reaches the widget's WebSocket (an init script wraps window.WebSocket before script.js loads; the widget counts as subscribed when its snapshot arrives); " +
        `one page for every outage, visible, a random 0.5..1.5 s after the last subscribe; the naive client (one WebSocket, subscribe on open, a new attempt 1 s after any close) goes through the same outages in a browser of its own (two clients in one browser wait for each other: Chromium connects one socket per endpoint at a time)`,
      note: `the widget's WebSocket attempts per run (ms from listening): ${attemptsShown(r)}${w === null ? `; the widget was not subscribed within ${BACK_WITHIN_MS / 1000} s in some run` : ''}`,
    };
  });
  return { section: { title: 'Outages (Chromium)', figures }, rows };
}

if (require.main === module) {
  const { values } = readCommandLine(
    defineCommand({
      name: 'bench-outage',
      usage: 'npx tsx scripts/bench/outage.ts [flags]',
      summary: 'The outage table alone: the relay down 1.5/5/12/60 s in the sandbox, the built widget in Chromium\nand a naive 1 s-retry client, time from the relay listening again to subscribed.',
      flags: {
        runs: { type: 'integer', value: 'n', min: 1, max: 100, default: 3, description: 'outages of each length' },
        'only-ms': { type: 'integer', value: 'ms', min: 100, max: 600_000, description: 'one outage length instead of the table' },
        'no-naive': { type: 'boolean', description: 'the widget alone, without the naive client' },
      },
      environment: [
        ['CHROMIUM_PATH', 'the browser (default /usr/bin/chromium)'],
        ['E2E_WIDGET_DIR', 'the built widget (default dist/widget)'],
      ],
    }),
  );
  runStandalone(async () => (await runOutageBench({ runs: values.runs ?? 3, naive: !values['no-naive'], ...(values['only-ms'] ? { outagesMs: [values['only-ms']] } : {}) }, (l) => console.log(l))).section);
}
