/**
 * Tabs benchmark (issue 6), in real Chromium against the sandbox: with 1, 5 and 20 tabs of one
 * Kommo user, per call: relay connections, by_phone lookups, add_call posts and pop-ups; and
 * the takeover time when the leader tab closes or crashes (-> the next leader's WebSocket to
 * the relay is open), p50/p95 over repeated closes. Three times: with Web Locks (Chromium as it
 * is), with the localStorage lease (navigator.locks removed before the page loads), and with
 * the lease and storage events as the channel (BroadcastChannel removed too).
 * Run: npx tsx scripts/bench/tabs.ts [--widget-dir dist/widget] [--closes 10]
 */
import type { Page } from 'playwright-core';
import { sandboxRecord, startHarness, type Harness } from '../../test/support/browser';
import { PERCENTILE_METHOD, summarize } from './report/stats';
import type { Figure, LatencySeries, Section } from './report/types';
import { runStandalone } from './report/console';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';
import { eventually } from '../../test/support/wait';

/** locks: Chromium as it is; lease: no Web Locks; lease-storage: no BroadcastChannel either. */
type Mode = 'locks' | 'lease' | 'lease-storage';
const MODES: readonly Mode[] = ['locks', 'lease', 'lease-storage'];
const TAB_COUNTS = ['1', '5', '20'] as const;

interface PerCall {
  tabs: number;
  mode: Mode;
  relayConnections: number;
  socketsOpened: number;
  lookups: number;
  addCalls: number;
  popups: number;
}

export interface TabsBenchOptions {
  widgetDir?: string;
  tabCounts?: number[];
  closes?: number;
  modes?: Mode[];
}


const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fleet of tabs on one harness, with each page's open WebSockets counted. */
class Fleet {
  readonly pages: Page[] = [];
  readonly sockets = new Map<Page, number>();
  opened = 0;
  private readonly offPage: () => void;
  constructor(readonly h: Harness) {
    // Watch each page from its creation: the leader's socket opens while the page loads.
    const onPage = (page: Page) => {
      this.sockets.set(page, 0);
      page.on('websocket', (ws) => {
        this.opened++;
        this.sockets.set(page, (this.sockets.get(page) ?? 0) + 1);
        ws.on('close', () => this.sockets.set(page, (this.sockets.get(page) ?? 1) - 1));
      });
    };
    h.context.on('page', onPage);
    this.offPage = () => h.context.off('page', onPage);
  }

  async open(): Promise<Page> {
    const page = await this.h.openWidget();
    this.pages.push(page);
    return page;
  }

  leader(): Page | undefined {
    return this.pages.find((p) => (this.sockets.get(p) ?? 0) > 0);
  }

  async close(page: Page): Promise<void> {
    this.pages.splice(this.pages.indexOf(page), 1);
    await page.close();
  }

  async closeAll(): Promise<void> {
    for (const page of [...this.pages]) await this.close(page);
    this.offPage();
  }

  async totals(): Promise<{ popups: number; addCalls: number }> {
    const records = await Promise.all(this.pages.map((p) => sandboxRecord(p)));
    return {
      popups: records.reduce((n, r) => n + r.calls.show_notification.length, 0),
      addCalls: records.reduce((n, r) => n + r.calls.add_call.length, 0),
    };
  }
}

const lookups = (h: Harness) => h.sandbox.crm.requests.filter((r) => r.path.includes('/search/by_phone')).length;

/** One call through N tabs; counts what reached the relay, the CRM and the host. */
async function oneCall(h: Harness, fleet: Fleet, mode: Mode): Promise<PerCall> {
  const before = await fleet.totals();
  const openedBefore = fleet.opened;
  h.sandbox.crm.reset();
  const call = await h.ring('+1 830 580 3077', '101');
  await eventually(async () => (await fleet.totals()).popups > before.popups, { everyMs: 10 });
  await h.pbx({ action: 'answer', callId: call.callId });
  await h.pbx({ action: 'hangup', callId: call.callId, duration: 7 });
  await eventually(async () => (await fleet.totals()).addCalls > before.addCalls, { everyMs: 10 });
  // Let duplicates, if any, arrive before counting.
  await pause(1000);
  const after = await fleet.totals();
  return {
    tabs: fleet.pages.length,
    mode,
    relayConnections: h.sandbox.relay.subscriberCount(),
    socketsOpened: fleet.opened - openedBefore,
    lookups: lookups(h),
    addCalls: after.addCalls - before.addCalls,
    popups: after.popups - before.popups,
  };
}

/**
 * Ends the leader tab `closes` times (a new tab opened after each): ms until another tab's
 * socket is open. `close`: the tab closes (pagehide runs). `crash`: its renderer is killed
 * (CDP Page.crash): nothing runs in it any more, the browser releases what it held.
 */
async function takeovers(h: Harness, fleet: Fleet, closes: number, how: 'close' | 'crash'): Promise<{ samples: number[]; missing: number }> {
  const samples: number[] = [];
  let missing = 0;
  for (let i = 0; i < closes; i++) {
    const leader = fleet.leader();
    if (!leader) {
      missing++;
      continue;
    }
    const cdp = how === 'crash' ? await h.context.newCDPSession(leader) : null;
    const started = Date.now();
    let closing: Promise<unknown>;
    if (cdp) {
      // The renderer dies before it can answer: never await this.
      void cdp.send('Page.crash').catch(() => undefined);
      closing = Promise.resolve();
      fleet.pages.splice(fleet.pages.indexOf(leader), 1);
    } else {
      closing = fleet.close(leader);
    }
    const ok = await eventually(() => {
      const next = fleet.leader();
      return next !== undefined && next !== leader && h.sandbox.relay.subscriberCount() === 1;
    }, { timeoutMs: 10_000, everyMs: 5 });
    await closing;
    if (cdp) await Promise.race([leader.close().catch(() => undefined), pause(5000)]);
    if (ok) samples.push(Date.now() - started);
    else missing++;
    await fleet.open();
    await eventually(() => h.sandbox.relay.subscriberCount() === 1, { everyMs: 10 });
    // Opening a tab through the harness clears the origin's localStorage (its seeding step),
    // which in lease mode drops the lease once: let that settle before the next close.
    await pause(2000);
  }
  return { samples, missing };
}

export async function runTabsBench(options: TabsBenchOptions = {}): Promise<Section> {
  const tabCounts = options.tabCounts ?? [1, 5, 20];
  const closes = options.closes ?? 10;
  const perCall: PerCall[] = [];
  const latency: LatencySeries[] = [];
  for (const mode of options.modes ?? MODES) {
    const h = await startHarness({ port: 0, ...(options.widgetDir ? { widgetDir: options.widgetDir } : {}) });
    try {
      if (mode !== 'locks') {
        // An older browser: no Web Locks, so the widget falls back to the localStorage lease
        // (and, without BroadcastChannel, to storage events for its messages).
        await h.context.addInitScript((noChannel: boolean) => {
          delete (Navigator.prototype as { locks?: unknown }).locks;
          if (noChannel) delete (window as { BroadcastChannel?: unknown }).BroadcastChannel;
        }, mode === 'lease-storage');
      }
      for (const n of tabCounts) {
        const fleet = new Fleet(h);
        for (let i = 0; i < n; i++) await fleet.open();
        await pause(2000); // see takeovers(): the harness's seeding clears localStorage
        await eventually(() => h.sandbox.relay.subscriberCount() === 1, { everyMs: 10 });
        perCall.push(await oneCall(h, fleet, mode));
        if (n > 1) {
          for (const how of ['close', 'crash'] as const) {
            const { samples, missing } = await takeovers(h, fleet, closes, how);
            latency.push({
              name: `${mode}, ${n} tabs: leader tab ${how === 'close' ? 'closes' : 'crashes'} -> next leader connected`,
              samplesMs: samples,
              summary: summarize(samples),
              missing,
              method: `${how === 'close' ? 'close' : 'crash (CDP Page.crash)'} the tab holding the relay socket ${closes} times (a new tab opened after each), time until another tab's socket is open and the relay counts 1; ${PERCENTILE_METHOD}`,
            });
          }
        }
        await fleet.closeAll();
        await eventually(() => h.sandbox.relay.subscriberCount() === 0, { everyMs: 10 });
      }
    } finally {
      await h.close();
    }
  }
  const figures: Figure[] = perCall.flatMap((c) => [
    { label: `${c.mode}, ${c.tabs} tabs: relay connections during a call`, value: c.relayConnections, unit: 'connections', method: 'relay subscriber count after ring, answer, hang-up' },
    { label: `${c.mode}, ${c.tabs} tabs: by_phone lookups per call`, value: c.lookups, unit: 'requests', method: 'sandbox CRM request log, reset before the ring' },
    { label: `${c.mode}, ${c.tabs} tabs: add_call per call`, value: c.addCalls, unit: 'calls', method: 'window.__sandbox.calls.add_call summed over the tabs, 1 s after the first' },
    { label: `${c.mode}, ${c.tabs} tabs: pop-ups per call`, value: c.popups, unit: 'pop-ups', method: 'window.__sandbox.calls.show_notification summed over the tabs, 1 s after the first' },
  ]);
  return { title: 'Tabs: one leader per browser', figures, latency };
}

if (require.main === module) {
  const { values } = readCommandLine(
    defineCommand({
      name: 'bench-tabs',
      usage: 'npx tsx scripts/bench/tabs.ts [flags]',
      summary: 'The tabs benchmark alone, in Chromium: one leader per browser (relay sockets, lookups, add_call\nand pop-ups per call for 1, 5 and 20 tabs) and leader takeovers; prints its section.',
      flags: {
        'widget-dir': { type: 'string', value: 'dir', shownDefault: 'dist/widget', description: 'the built widget' },
        closes: { type: 'integer', value: 'n', min: 0, max: 1000, default: 10, description: 'leader closes and crashes per tab count and mode' },
        modes: { type: 'list', value: 'modes', choices: MODES, default: MODES, description: 'leader election modes' },
        tabs: { type: 'list', value: 'counts', choices: TAB_COUNTS, default: TAB_COUNTS, description: 'tab counts' },
      },
      environment: [['CHROMIUM_PATH', 'the browser (default /usr/bin/chromium)']],
    }),
  );
  runStandalone(() =>
    runTabsBench({ widgetDir: values['widget-dir'], closes: values.closes, modes: values.modes as Mode[], tabCounts: values.tabs.map(Number) }),
  );
}
