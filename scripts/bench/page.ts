/**
 * The widget in real Chromium inside the sandbox (issue 8): pop-up latency, API cost, recovery,
 * and the widget's main-thread time and memory. One sandbox, one browser, one tab at a time.
 *
 * Clocks: the relay's send time is Date.now() in this Node process (relay-probe.ts: the sandbox
 * and so the relay run here); the pop-up time is Date.now() in the page when the host's
 * APP.notifications.show_notification ran (scripts/sandbox/kommo/app.ts, `__sandbox.timeline`).
 * Same machine, same wall clock, 1 ms resolution.
 *
 * Numbers: the CRM is the sandbox's seed plus generated contacts "Bench Caller N" with distinct
 * numbers (+1 646 3xx xxxx, distinct last 7 digits, which is what by_phone matches), so an
 * "uncached" call always asks the CRM and finds a contact; a "cached" call repeats one number.
 *
 * Run alone: npx tsx scripts/bench/page.ts [--calls 200] ... (see run.ts for every flag)
 */
import type { CDPSession, Page } from 'playwright-core';
import { createSeedAccount, SEED_NUMBERS } from '../crm';
import type { CrmAccount } from '../crm';
import { startHarness, type Harness } from '../../test/support/browser';
import { installRelayProbe, type RelayProbe } from './relay-probe';
import { startTcpProxy } from './tcp-proxy';
import { PERCENTILE_METHOD, summarize } from './report/stats';
import type { Figure, LatencySeries, Section } from './report/types';
import { runStandalone } from './report/console';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';
import type { IntegerFlag } from '../../relay/src/command-line';
import { eventually } from '../../test/support/wait';

export interface PageBenchOptions {
  widgetDir?: string;
  /** Calls per WebSocket latency variant (issue: 200). */
  calls: number;
  /** Simulated CRM answer delays for the uncached variants (ms). */
  crmDelaysMs: number[];
  /** Calls per polling variant (1 s and 3 s). */
  pollCalls1s: number;
  pollCalls3s: number;
  /** Calls with a CRM that never answers (the pop-up's 1.5 s budget). */
  hangCalls: number;
  /** Spacing of sequential calls (ms): 200 = 5 calls/s, under the widget's 7 lookups/s. */
  paceMs: number;
  repeatedCalls: number;
  repeatedNumbers: number;
  burstCalls: number;
  burstWindowMs: number;
  restarts: number;
  deadSocketRuns: number;
  overheadLoads: number;
  overheadCalls: number;
  memoryCalls: number;
}

export const PAGE_DEFAULTS: PageBenchOptions = {
  calls: 200,
  crmDelaysMs: [0, 50, 300],
  pollCalls1s: 40,
  pollCalls3s: 20,
  hangCalls: 10,
  paceMs: 200,
  repeatedCalls: 50,
  repeatedNumbers: 10,
  burstCalls: 50,
  burstWindowMs: 2000,
  restarts: 10,
  deadSocketRuns: 1,
  overheadLoads: 5,
  overheadCalls: 50,
  memoryCalls: 1000,
};

/** Raw results the targets are judged on (run.ts). */
export interface PageBenchResult {
  sections: Section[];
  latency: Record<string, LatencySeries>;
  burst: { busiestSecond: number; requests: number; popups: number; named: number; calls: number } | null;
  repeated: { lookupsPerCall: number; addCallsPerCall: number; calls: number } | null;
  restart: LatencySeries | null;
  reconnect: LatencySeries | null;
  deadSocket: { detectionMs: number[]; sinceLastFrameMs: number[] } | null;
  overhead: { loadWidgetMs: number[]; perCallWidgetMs: number | null; heapBefore: number | null; heapAfter: number | null; heapGrowthPerCall: number | null } | null;
  errors: string[];
}

const EXT = '101';
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
const digits = (s: string) => s.replace(/\D/g, '');

/** Generated contacts with distinct numbers, appended to the sandbox seed. */
function benchSeed(count: number): { seed: CrmAccount; numbers: string[] } {
  const seed = createSeedAccount();
  const numbers: string[] = [];
  for (let i = 0; i < count; i++) {
    const line = String(3_000_000 + i);
    const phone = `+1 646 ${line.slice(0, 3)} ${line.slice(3)}`;
    numbers.push(phone);
    seed.contacts.push({ id: 9_000_000 + i, name: `Bench Caller ${i}`, phones: [phone], createdAt: 1_700_000_000, responsibleUserId: 8320148 });
  }
  return { seed, numbers };
}

interface Shown {
  at: number;
  header: string;
  text: string;
}

/**
 * Page -> Node notifications of every APP.notifications call, through a binding. The page's own
 * timestamp travels with it, so the binding's delay does not enter any figure.
 */
class HostEvents {
  private popupWaiters = new Map<string, (shown: Shown) => void>();
  addCalls = 0;
  popups: Shown[] = [];
  private addCallWaiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(private readonly h: Harness) {}

  async install(): Promise<void> {
    await this.h.context.exposeBinding('__benchEvent', (_source, kind: string, at: number, payload: string) => {
      if (kind === 'show_notification') {
        let header = '';
        let text = '';
        try {
          const p = JSON.parse(payload) as { text?: { header?: string; text?: string } };
          header = p.text?.header ?? '';
          text = p.text?.text ?? '';
        } catch {
          // leave empty
        }
        const shown = { at, header, text };
        this.popups.push(shown);
        for (const [key, resolve] of this.popupWaiters) {
          if (digits(header).endsWith(key)) {
            this.popupWaiters.delete(key);
            resolve(shown);
          }
        }
      } else if (kind === 'add_call') {
        this.addCalls += 1;
        this.addCallWaiters = this.addCallWaiters.filter((w) => {
          if (this.addCalls < w.count) return true;
          w.resolve();
          return false;
        });
      }
    });
  }

  /** Hooks the host page's timeline (after each page load). */
  async attach(page: Page): Promise<void> {
    await page.evaluate(() => {
      const w = window as unknown as {
        __sandbox: { timeline: Array<{ kind: string; at: number }>; calls: Record<string, unknown[]> };
        __benchEvent: (kind: string, at: number, payload: string) => void;
      };
      const s = w.__sandbox;
      const push = s.timeline.push.bind(s.timeline);
      s.timeline.push = (...entries: Array<{ kind: string; at: number }>) => {
        const n = push(...entries);
        for (const e of entries) {
          const list = s.calls[e.kind] ?? [];
          const last = e.kind === 'show_notification' ? JSON.stringify(list[list.length - 1] ?? null) : '';
          void w.__benchEvent(e.kind, e.at, last);
        }
        return n;
      };
    });
  }

  /** Resolves with the pop-up whose header carries this number, or null after `timeoutMs`. */
  popupFor(phone: string, timeoutMs = 10_000): Promise<Shown | null> {
    const key = digits(phone).slice(-10);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.popupWaiters.delete(key);
        resolve(null);
      }, timeoutMs);
      this.popupWaiters.set(key, (shown) => {
        clearTimeout(timer);
        resolve(shown);
      });
    });
  }

  addCallCount(count: number, timeoutMs = 10_000): Promise<boolean> {
    if (this.addCalls >= count) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.addCallWaiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      });
    });
  }
}


function series(name: string, samples: number[], missing: number, method: string): LatencySeries {
  return { name, samplesMs: samples, summary: summarize(samples), missing, method };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** The sandbox, the browser, the one tab under test, and the numbers still unused. */
class PageBench {
  page: Page | null = null;
  private next = 0;
  private callSeq = 0;
  constructor(
    readonly h: Harness,
    readonly events: HostEvents,
    readonly probe: RelayProbe,
    private readonly numbers: string[],
  ) {}

  freshNumber(): string {
    const n = this.numbers[this.next++];
    if (n === undefined) throw new Error('bench: ran out of generated numbers');
    return n;
  }

  async open(settings: Record<string, unknown> = {}): Promise<Page> {
    if (this.page) await this.page.close();
    const page = await this.h.openWidget({ settings, popupMs: 1500 });
    await this.events.attach(page);
    this.page = page;
    return page;
  }

  async connected(timeoutMs = 15_000): Promise<boolean> {
    return eventually(() => this.h.sandbox.relay.subscriberCount() === 1, { timeoutMs: timeoutMs, everyMs: 5 });
  }

  /** Rings, waits for the pop-up, hangs up. Latency: relay send -> show_notification. */
  async call(phone: string, tag: string, waitMs = 10_000): Promise<{ latency: number | null; fromPost: number | null; shown: Shown | null; callId: string; toRequest: number | null; afterRequest: number | null }> {
    const callId = `bench-${tag}-${this.callSeq++}`;
    const popup = this.events.popupFor(phone, waitMs);
    await this.h.pbx({ action: 'ring', phone, extension: EXT, callId });
    const posted = Date.now();
    const shown = await popup;
    const sent = this.probe.sentAt.get(callId);
    await this.h.pbx({ action: 'hangup', callId, duration: 1 }).catch(() => undefined);
    // This call's by_phone request (new numbers only: a cached number sends none).
    const want = digits(phone).slice(-10);
    const req = sent === undefined ? undefined : this.h.sandbox.crm.requests.find((r) => r.at >= sent - 5 && r.path.includes('by_phone') && digits(r.query.phone ?? r.query.query ?? '').endsWith(want));
    return {
      callId,
      shown,
      toRequest: req && sent !== undefined ? req.at - sent : null,
      afterRequest: req && shown ? shown.at - req.at : null,
      latency: shown && sent !== undefined ? shown.at - sent : null,
      fromPost: shown ? shown.at - posted : null,
    };
  }
}

/**
 * Calls at a fixed cadence (`paceMs`): each is rung on its slot whether or not the previous
 * pop-up is up yet (a slow CRM makes calls overlap, as they would). With `jitterMs` (polling),
 * calls go one at a time instead, each rung a random 0..jitterMs after the previous pop-up, so
 * it lands at a random moment of the poll cycle.
 */
async function latencyRun(b: PageBench, name: string, n: number, pick: () => string, paceMs: number, method: string, jitterMs = 0): Promise<{ main: LatencySeries; fromPost: number[]; toRequest: number[]; afterRequest: number[] }> {
  const tag = name.replace(/\W+/g, '-');
  const results: Array<Awaited<ReturnType<PageBench['call']>>> = [];
  if (jitterMs) {
    for (let i = 0; i < n; i++) {
      results.push(await b.call(pick(), tag));
      await pause(Math.random() * jitterMs);
    }
  } else {
    const t0 = Date.now();
    const running: Array<Promise<void>> = [];
    for (let i = 0; i < n; i++) {
      await pause(t0 + i * paceMs - Date.now());
      running.push(b.call(pick(), tag).then((r) => void results.push(r)));
    }
    await Promise.all(running);
  }
  const numberOnly = results.filter((r) => r.shown !== null && !/Bench Caller|Adam Noah/.test(r.shown.text)).length;
  const samples = results.flatMap((r) => (r.latency === null ? [] : [r.latency]));
  const fromPost = results.flatMap((r) => (r.fromPost === null ? [] : [r.fromPost]));
  const toRequest = results.flatMap((r) => (r.toRequest === null ? [] : [r.toRequest]));
  const afterRequest = results.flatMap((r) => (r.afterRequest === null ? [] : [r.afterRequest]));
  return { main: series(name, samples, n - samples.length, numberOnly ? `${method}; ${numberOnly} of ${n} pop-ups came without the caller's name (the lookup missed the pop-up's budget)` : method), fromPost, toRequest, afterRequest };
}

function breakdown(name: string, toRequest: number[], afterRequest: number[]): Figure {
  const a = summarize(toRequest);
  const c = summarize(afterRequest);
  const f = (v: number | null) => (v === null ? 'n/a' : String(Math.round(v)));
  return {
    label: `${name}: where the time goes (p50 / p95 / max)`,
    value: a.p50,
    unit: `ms relay send -> by_phone request at the CRM (p95 ${f(a.p95)}, max ${f(a.max)}); request arrives -> pop-up ${f(c.p50)} / ${f(c.p95)} / ${f(c.max)} ms (includes the CRM's delay)`,
    method: 'the CRM request log (Date.now() on arrival) of each call\'s by_phone request, same clock',
  };
}

const RELAY_TO_POPUP = 'relay hands the ringing frame / poll answer to the socket -> show_notification runs in the page (one wall clock, see Notes)';

async function latencyScenarios(b: PageBench, o: PageBenchOptions, out: PageBenchResult): Promise<Section> {
  const figures: Figure[] = [];
  const list: LatencySeries[] = [];
  await b.open();
  if (!(await b.connected())) throw new Error('bench: the widget did not connect to the relay');
  // Warm-up: the first lookups pay for connection setup and JIT; not counted.
  for (let i = 0; i < 5; i++) await b.call(b.freshNumber(), 'warmup');

  for (const delay of o.crmDelaysMs) {
    b.h.sandbox.crm.setFaults(delay > 0 ? { delayMs: delay } : {});
    const { main, toRequest, afterRequest } = await latencyRun(b, `WebSocket, CRM ${delay} ms, new number each call`, o.calls, () => b.freshNumber(), o.paceMs,
      `${RELAY_TO_POPUP}; ${o.calls} calls rung one every ${o.paceMs} ms (under the widget's 7 lookups/s, so its limiter never holds one back), each a number never called before (a generated CRM contact), CRM answers after ${delay} ms; ${PERCENTILE_METHOD}`);
    list.push(main);
    figures.push(breakdown(main.name, toRequest, afterRequest));
    out.latency[`ws-crm-${delay}`] = main;
  }
  b.h.sandbox.crm.setFaults({});

  const cachedNumber = b.freshNumber();
  await b.call(cachedNumber, 'cache-warm');
  const cached = await latencyRun(b, 'WebSocket, cached number', o.calls, () => cachedNumber, 100,
    `${RELAY_TO_POPUP}; ${o.calls} calls rung one every 100 ms from one number looked up just before (the 60 s cache answers); ${PERCENTILE_METHOD}`);
  list.push(cached.main);
  out.latency['ws-cached'] = cached.main;

  if (o.hangCalls > 0) {
    b.h.sandbox.crm.setFaults({ hang: true });
    const hang = await latencyRun(b, 'WebSocket, CRM never answers', o.hangCalls, () => b.freshNumber(), 1700,
      `${RELAY_TO_POPUP}; ${o.hangCalls} calls, one every 1.7 s, while the CRM holds every request open: the pop-up comes without a name when the widget stops waiting for the lookup; ${PERCENTILE_METHOD}`);
    b.h.sandbox.crm.reset();
    list.push(hang.main);
    out.latency['ws-hang'] = hang.main;
  }

  for (const [seconds, n] of [[1, o.pollCalls1s], [3, o.pollCalls3s]] as const) {
    if (n <= 0) continue;
    await b.open({ ws_url: '', poll_url: b.h.sandbox.pollUrl, poll_interval: String(seconds) });
    // Let the first poll settle; two calls on the new page as warm-up (not counted), as for WebSocket.
    await pause(seconds * 1000 + 200);
    for (let i = 0; i < 2; i++) await b.call(b.freshNumber(), 'poll-warmup');
    const run = await latencyRun(b, `Polling ${seconds} s, new number each call`, n, () => b.freshNumber(), 0,
      `${RELAY_TO_POPUP} (the poll answer that first lists the call); ${n} sequential calls after 2 warm-up calls on the freshly loaded page, each rung a random 0..${seconds} s after the previous pop-up, new numbers, CRM 0 ms; ${PERCENTILE_METHOD}`,
      seconds * 1000);
    list.push(run.main);
    out.latency[`poll-${seconds}`] = run.main;
    const wait = summarize(run.fromPost);
    figures.push({
      label: `Polling ${seconds} s: event at the relay -> pop-up, p50 / p95`,
      value: wait.p50 === null ? null : Math.round(wait.p50),
      unit: `ms (p95 ${wait.p95 === null ? 'n/a' : Math.round(wait.p95)} ms, max ${wait.max === null ? 'n/a' : Math.round(wait.max)} ms)`,
      method: `from the relay's 200 to the PBX's POST (event stored) to show_notification; includes waiting for the next poll; n=${wait.n}`,
    });
  }
  return { title: 'Pop-up latency (Chromium)', figures, latency: list, chart: true };
}

/** Highest count of timestamps inside any [t, t + windowMs). */
export function busiestWindow(times: number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] as number) - (sorted[lo] as number) >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

async function apiCost(b: PageBench, o: PageBenchOptions, out: PageBenchResult): Promise<Section> {
  const figures: Figure[] = [];
  await b.open();
  await b.connected();
  const crm = b.h.sandbox.crm;
  const byPhone = () => crm.requests.filter((r) => r.path.includes('/search/by_phone'));

  // Repeated numbers: a small set of new numbers called in turn.
  const set = Array.from({ length: o.repeatedNumbers }, () => b.freshNumber());
  crm.reset();
  const addBefore = b.events.addCalls;
  let shown = 0;
  for (let i = 0; i < o.repeatedCalls; i++) {
    const started = Date.now();
    const r = await b.call(set[i % set.length] as string, 'repeat');
    if (r.shown) shown++;
    await pause(started + o.paceMs - Date.now());
  }
  await b.events.addCallCount(addBefore + o.repeatedCalls, 5000);
  await pause(500);
  const lookups = byPhone().length;
  const adds = b.events.addCalls - addBefore;
  out.repeated = { lookupsPerCall: lookups / o.repeatedCalls, addCallsPerCall: adds / o.repeatedCalls, calls: o.repeatedCalls };
  figures.push({
    label: `by_phone requests for ${o.repeatedCalls} calls from ${o.repeatedNumbers} numbers`,
    value: lookups,
    unit: `requests (${Math.round((lookups / o.repeatedCalls) * 100) / 100} per call)`,
    method: `sandbox CRM request log; the numbers are called in turn, one call every ${o.paceMs} ms (all within the 60 s cache); ${shown} pop-ups shown`,
  });
  figures.push({ label: `add_call per call (same run)`, value: Math.round((adds / o.repeatedCalls) * 100) / 100, unit: 'add_call', method: 'APP.notifications.add_call calls seen in the page / calls hung up' });

  // Burst: 50 calls in 2 s, every number new: the worst case for the rate limit.
  crm.reset();
  const burstNumbers = Array.from({ length: o.burstCalls }, () => b.freshNumber());
  const waits = burstNumbers.map((n) => b.events.popupFor(n, 20_000));
  const ids: string[] = [];
  const t0 = Date.now();
  await Promise.all(
    burstNumbers.map(async (phone, i) => {
      await pause(t0 + Math.floor((i * o.burstWindowMs) / o.burstCalls) - Date.now());
      const callId = `bench-burst-${i}`;
      ids.push(callId);
      await b.h.pbx({ action: 'ring', phone, extension: EXT, callId });
    }),
  );
  const ringSpan = Date.now() - t0;
  const results = await Promise.all(waits);
  const times = byPhone().map((r) => r.at);
  const busiest = busiestWindow(times);
  const popups = results.filter((r) => r !== null).length;
  const named = results.filter((r) => r !== null && r.text.includes('Bench Caller')).length;
  const lat = results.map((r, i) => (r ? r.at - (b.probe.sentAt.get(`bench-burst-${i}`) ?? r.at) : null)).filter((v): v is number => v !== null);
  for (const id of ids) await b.h.pbx({ action: 'hangup', callId: id, duration: 1 }).catch(() => undefined);
  out.burst = { busiestSecond: busiest, requests: times.length, popups, named, calls: o.burstCalls };
  const s = summarize(lat);
  figures.push({
    label: `Burst of ${o.burstCalls} calls in ${o.burstWindowMs / 1000} s (new numbers): highest by_phone requests in any 1 s window`,
    value: busiest,
    unit: 'requests',
    method: `rings every ${o.burstWindowMs / o.burstCalls} ms (took ${ringSpan} ms); CRM request log timestamps (Date.now() on arrival), sliding 1 s window over every request`,
    note: undefined,
  });
  figures.push({
    label: 'Burst: pop-ups shown / with the caller name / by_phone requests',
    value: popups,
    unit: `pop-ups of ${o.burstCalls}; ${named} named; ${times.length} requests; latency p50 ${s.p50 ?? 'n/a'} ms, p95 ${s.p95 ?? 'n/a'} ms, max ${s.max ?? 'n/a'} ms`,
    method: 'pop-ups seen in the page within 20 s; "named" = the pop-up text carries the CRM contact; latency as in the latency section',
  });
  await pause(2000);
  return { title: 'API cost (Chromium, one tab)', figures };
}

async function recovery(b: PageBench, o: PageBenchOptions, out: PageBenchResult): Promise<Section> {
  const figures: Figure[] = [];
  const latency: LatencySeries[] = [];
  const popupMs: number[] = [];
  const reconnectMs: number[] = [];
  let missing = 0;
  const phone = b.freshNumber();
  for (let i = 0; i < o.restarts; i++) {
    // A freshly loaded widget each time, as this figure always was (a visible tab retries after
    // 250..1000 ms however often it lost the relay: the outage table, outage.ts, keeps one page).
    await b.open();
    await b.connected();
    await b.call(phone, 'restart-warm');
    await pause(300 + Math.random() * 500);
    const t0 = Date.now();
    await b.h.sandbox.restartRelay();
    const popup = b.events.popupFor(phone, 15_000);
    const callId = `bench-restart-${i}`;
    await b.h.pbx({ action: 'ring', phone, extension: EXT, callId });
    const reconnected = await eventually(() => b.h.sandbox.relay.subscriberCount() === 1, { timeoutMs: 15_000, everyMs: 2 });
    if (reconnected) reconnectMs.push(Date.now() - t0);
    const shown = await popup;
    if (shown) popupMs.push(shown.at - t0);
    else missing++;
    await b.h.pbx({ action: 'hangup', callId, duration: 1 }).catch(() => undefined);
  }
  const restart = series('Relay restart -> next pop-up', popupMs, missing,
    `sandbox restartRelay() (every socket closed, listener re-created on the same port) at t0, a call rung as soon as the relay listens again; t0 (Date.now() in the sandbox process) -> show_notification (page Date.now()); ${o.restarts} restarts, each on a freshly loaded widget; ${PERCENTILE_METHOD}`);
  const reconnect = series('Relay restart -> widget subscribed again', reconnectMs, o.restarts - reconnectMs.length,
    `t0 as above -> the relay counts the widget's new subscriber (polled every 2 ms); ${PERCENTILE_METHOD}`);
  latency.push(restart, reconnect);
  out.restart = restart;
  out.reconnect = reconnect;

  // Dead socket: the relay (behind a proxy we control) stops answering without closing.
  if (o.deadSocketRuns > 0) {
    const detection: number[] = [];
    const sinceLast: number[] = [];
    const relayPort = Number(new URL(b.h.sandbox.relayUrl).port);
    for (let i = 0; i < o.deadSocketRuns; i++) {
      const proxy = await startTcpProxy(relayPort);
      try {
        await b.open({ ws_url: `ws://127.0.0.1:${proxy.port}/ws` });
        await b.connected();
        await pause(1000);
        const before = proxy.accepted();
        const t0 = Date.now();
        const lastFrame = proxy.silence();
        const ok = await eventually(() => proxy.accepted() > before, { timeoutMs: 90_000, everyMs: 20 });
        if (ok) {
          const at = proxy.acceptedAt[before] as number;
          detection.push(at - t0);
          sinceLast.push(at - lastFrame);
        }
        // It works again: a call pops up through the new connection.
        await eventually(() => b.h.sandbox.relay.subscriberCount() >= 1, { timeoutMs: 10_000, everyMs: 5 });
        await b.call(b.freshNumber(), 'after-dead');
      } finally {
        await proxy.close();
      }
    }
    out.deadSocket = { detectionMs: detection, sinceLastFrameMs: sinceLast };
    const d = summarize(detection);
    figures.push({
      label: 'Dead-socket detection: relay silent (socket left open) -> widget opens a new connection',
      value: d.max === null ? null : Math.round(d.max),
      unit: `ms (worst of ${detection.length} run${detection.length === 1 ? '' : 's'}${detection.length > 1 ? `, each: ${detection.join(', ')} ms` : ''}; since the relay's last frame: ${sinceLast.join(', ')} ms)`,
      method: 'a TCP proxy between the page and the relay stops forwarding bytes on the open connection (nothing closed) 1 s after the widget subscribed; time until the proxy accepts the widget\'s next connection. Bound by the widget\'s version-2 heartbeat (src/feed/ws-machine.ts): a ping once it has sent nothing for 5 s, the socket dead when no frame comes within 5 s of it, then a reconnect after 250..1000 ms: at most ~11 s. The relay\'s own 12 s silence close (4408) never reaches the widget, as the proxy drops it too',
      ...(detection.length === 0 ? { note: 'the widget never reconnected within 90 s' } : {}),
    });
  } else {
    figures.push({ label: 'Dead-socket detection', value: null, unit: 'ms', method: 'skipped', note: 'skipped (--dead-socket-runs 0)' });
  }
  return { title: 'Recovery (Chromium)', figures, latency };
}

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * ms of samples whose nearest JavaScript frame with a source URL is the widget's script.js
 * (builtins it calls count as the widget's; host-page code it calls, like the sandbox's pop-up
 * rendering, does not; garbage collection is nobody's).
 */
export function widgetTime(profile: CpuProfile, isWidget: (url: string) => boolean): number {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const owner = new Map<number, boolean>();
  const ownerOf = (id: number): boolean => {
    const known = owner.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    let result = false;
    if (node && node.callFrame.url) result = isWidget(node.callFrame.url);
    else {
      const p = parent.get(id);
      result = p !== undefined ? ownerOf(p) : false;
    }
    owner.set(id, result);
    return result;
  };
  let us = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i] is the time since the previous sample: charge it to sample i-1's node.
  for (let i = 1; i < samples.length; i++) if (ownerOf(samples[i - 1] as number)) us += deltas[i] ?? 0;
  return us / 1000;
}

const isWidgetUrl = (url: string) => /\/widget\/script\.js(\?|$)/.test(url);

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

async function overhead(b: PageBench, o: PageBenchOptions, out: PageBenchResult): Promise<Section> {
  const figures: Figure[] = [];
  const loadWidget: number[] = [];
  const loadScript: number[] = [];
  const loadTask: number[] = [];
  for (let i = 0; i < o.overheadLoads; i++) {
    const page = await b.open();
    await b.connected();
    const cdp = await b.h.context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Performance.enable');
    await cdp.send('Profiler.start');
    // A reload: same settings (localStorage), a new document, a new widget from script.js.
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __sandbox?: { ready: boolean } }).__sandbox?.ready === true);
    await eventually(() => b.h.sandbox.relay.subscriberCount() === 1, { timeoutMs: 10_000, everyMs: 5 });
    await pause(500);
    const m = await metrics(cdp);
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
    loadWidget.push(widgetTime(profile, isWidgetUrl));
    loadScript.push((m.ScriptDuration ?? 0) * 1000);
    loadTask.push((m.TaskDuration ?? 0) * 1000);
    await cdp.detach();
    await b.events.attach(page);
  }
  const lw = summarize(loadWidget);
  figures.push({
    label: 'Page load: main-thread time in the widget (script.js)',
    value: lw.p50 === null ? null : round1(lw.p50),
    unit: `ms median of ${loadWidget.length} loads (max ${lw.max === null ? 'n/a' : round1(lw.max)} ms)`,
    method: 'CDP Profiler (100 µs sampling) from reload until the widget is subscribed + 500 ms; samples whose nearest URL-bearing JS frame is /widget/script.js (its builtins included; host-page code and GC excluded): evaluating script.js, the callbacks, the first connection',
  });
  const ls = summarize(loadScript);
  const lt = summarize(loadTask);
  figures.push({
    label: 'Page load: whole page script / task time (host double + jQuery + RequireJS + widget)',
    value: ls.p50 === null ? null : round1(ls.p50),
    unit: `ms script, ${lt.p50 === null ? 'n/a' : round1(lt.p50)} ms tasks (medians)`,
    method: 'CDP Performance.getMetrics ScriptDuration / TaskDuration of the reloaded document, for scale',
  });

  // Per call.
  const page = await b.open();
  await b.connected();
  const set = Array.from({ length: 10 }, () => b.freshNumber());
  for (const n of set) await b.call(n, 'overhead-warm');
  await b.events.addCallCount(b.events.addCalls, 0);
  const cdp = await b.h.context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.enable');
  await pause(300);
  const m0 = await metrics(cdp);
  await cdp.send('Profiler.start');
  const addBefore = b.events.addCalls;
  for (let i = 0; i < o.overheadCalls; i++) {
    const started = Date.now();
    await b.call(set[i % set.length] as string, 'overhead');
    await pause(started + o.paceMs - Date.now());
  }
  await b.events.addCallCount(addBefore + o.overheadCalls, 5000);
  await pause(300);
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
  const m1 = await metrics(cdp);
  const perCall = widgetTime(profile, isWidgetUrl) / o.overheadCalls;
  const pageScriptPerCall = (((m1.ScriptDuration ?? 0) - (m0.ScriptDuration ?? 0)) * 1000) / o.overheadCalls;
  figures.push({
    label: 'Per call: main-thread time in the widget',
    value: Math.round(perCall * 100) / 100,
    unit: 'ms',
    method: `CDP Profiler over ${o.overheadCalls} calls (ring, pop-up, hang-up, add_call; 10 numbers in turn, cached), widget samples as above, divided by the calls`,
  });
  figures.push({
    label: 'Per call: whole page script time (includes the host double drawing pop-ups, its PBX panel refresh)',
    value: Math.round(pageScriptPerCall * 100) / 100,
    unit: 'ms',
    method: 'CDP Performance.getMetrics ScriptDuration delta over the same calls / calls',
  });

  // Memory after N calls.
  const clearHost = () =>
    page.evaluate(() => {
      const s = (window as unknown as { __sandbox: { calls: Record<string, unknown[]>; timeline: unknown[] } }).__sandbox;
      for (const k of Object.keys(s.calls)) (s.calls[k] as unknown[]).length = 0;
      s.timeline.length = 0;
    });
  const heap = async () => {
    await clearHost();
    await pause(1700); // pop-ups on screen time out (1.5 s) and leave the DOM
    for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
    return (await metrics(cdp)).JSHeapUsedSize ?? 0;
  };
  const checkpoints: Array<[number, number]> = [[0, await heap()]];
  const step = Math.max(1, Math.floor(o.memoryCalls / 4));
  let done = 0;
  const memNumbers = Array.from({ length: 20 }, () => b.freshNumber());
  const memStart = Date.now();
  // Twice the calls: the second half shows whether the heap keeps growing once the widget's
  // bounded memories (finished call ids: at most 1,000) are full.
  const total = o.memoryCalls * 2;
  while (done < total) {
    const target = Math.min(total, done + step);
    const addFrom = b.events.addCalls;
    const chunk = target - done;
    for (; done < target; done++) await b.call(memNumbers[done % memNumbers.length] as string, 'mem', 5000);
    await b.events.addCallCount(addFrom + chunk, 5000);
    checkpoints.push([done, await heap()]);
  }
  const memSeconds = Math.round((Date.now() - memStart) / 1000);
  await cdp.detach();
  const before = checkpoints[0]?.[1] ?? null;
  const after = checkpoints.find(([n]) => n === o.memoryCalls)?.[1] ?? null;
  const last = checkpoints[checkpoints.length - 1];
  // Least-squares slope over checkpoints: bytes per call.
  const slopeOf = (points: Array<[number, number]>) => {
    const xs = points.map((c) => c[0]);
    const ys = points.map((c) => c[1]);
    const mx = xs.reduce((a, v) => a + v, 0) / xs.length;
    const my = ys.reduce((a, v) => a + v, 0) / ys.length;
    return xs.reduce((a, x, i) => a + (x - mx) * ((ys[i] as number) - my), 0) / (xs.reduce((a, x) => a + (x - mx) ** 2, 0) || 1);
  };
  const firstHalf = slopeOf(checkpoints.filter(([n]) => n <= o.memoryCalls));
  const slope = slopeOf(checkpoints.filter(([n]) => n >= o.memoryCalls));
  out.overhead = { loadWidgetMs: loadWidget, perCallWidgetMs: perCall, heapBefore: before, heapAfter: after, heapGrowthPerCall: slope };
  figures.push({
    label: `JS heap before / after ${o.memoryCalls} calls`,
    value: after === null ? null : round1(after / 1024),
    unit: `KB after (${before === null ? 'n/a' : round1(before / 1024)} KB before; after ${last?.[0] ?? 'n/a'} calls ${last ? round1(last[1] / 1024) : 'n/a'} KB)`,
    method: `CDP HeapProfiler.collectGarbage x3 then Performance.getMetrics JSHeapUsedSize of the whole page; ${total} calls (ring, pop-up, hang-up, add_call; 20 numbers in turn) in ${memSeconds} s, checkpoints ${checkpoints.map(([n, v]) => `${n}: ${round1(v / 1024)} KB`).join(', ')}; the host double's own records of the calls are emptied before each reading`,
  });
  figures.push({
    label: `Heap growth per call, calls ${o.memoryCalls}..${total} (least-squares slope)`,
    value: Math.round(slope),
    unit: `bytes/call (calls 0..${o.memoryCalls}: ${Math.round(firstHalf)} bytes/call)`,
    method: `slope of JSHeapUsedSize against calls over the checkpoints; the widget remembers finished call ids for 10 min, at most 1,000, so replays change nothing: growth until that cap is expected, none after it`,
  });
  return { title: 'Widget overhead on the page (Chromium)', figures };
}

export async function runPageBench(options: Partial<PageBenchOptions> = {}, log: (line: string) => void = () => {}): Promise<PageBenchResult> {
  const o: PageBenchOptions = { ...PAGE_DEFAULTS, ...options };
  const needed = 10 + o.crmDelaysMs.length * o.calls + 5 + o.hangCalls + o.pollCalls1s + o.pollCalls3s + o.repeatedNumbers + o.burstCalls + 1 + o.deadSocketRuns + 10 + 20 + 20;
  const { seed, numbers } = benchSeed(needed);
  const out: PageBenchResult = { sections: [], latency: {}, burst: null, repeated: null, restart: null, reconnect: null, deadSocket: null, overhead: null, errors: [] };
  const probe = installRelayProbe();
  const h = await startHarness({ port: 0, crmSeed: seed, ...(options.widgetDir ? { widgetDir: options.widgetDir } : {}) });
  try {
    const events = new HostEvents(h);
    await events.install();
    const b = new PageBench(h, events, probe, numbers);
    // Sanity: a seed number pops up with its name before anything is measured.
    await b.open();
    await b.connected();
    const check = await b.call(SEED_NUMBERS.adamNoah, 'check');
    if (!check.shown?.text.includes('Adam Noah')) throw new Error('bench: the widget does not pop up in the sandbox');
    const steps: Array<[string, (b: PageBench, o: PageBenchOptions, out: PageBenchResult) => Promise<Section>]> = [
      ['latency', latencyScenarios],
      ['api cost', apiCost],
      ['recovery', recovery],
      ['overhead', overhead],
    ];
    for (const [name, step] of steps) {
      const started = Date.now();
      log(`page: ${name}...`);
      try {
        out.sections.push(await step(b, o, out));
      } catch (error) {
        out.errors.push(`${name}: ${String(error)}`);
        log(`page: ${name} failed: ${String(error)}`);
      }
      log(`page: ${name} done in ${Math.round((Date.now() - started) / 1000)} s`);
    }
    if (h.pageErrors.length) out.errors.push(...h.pageErrors.slice(0, 5));
  } finally {
    probe.dispose();
    await h.close();
  }
  return out;
}

if (require.main === module) {
  // One flag per number of PageBenchOptions: `pollCalls1s` is --poll-calls1s.
  const sizes = (Object.keys(PAGE_DEFAULTS) as Array<keyof PageBenchOptions>).filter((key) => key !== 'crmDelaysMs' && key !== 'widgetDir');
  const flagOf = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const flags: Record<string, IntegerFlag> = {};
  for (const key of sizes) {
    flags[flagOf(key)] = { type: 'integer', value: 'n', min: 0, max: 1_000_000, default: PAGE_DEFAULTS[key] as number, description: `PageBenchOptions.${key}` };
  }
  const { values } = readCommandLine(
    defineCommand({
      name: 'bench-page',
      usage: 'npx tsx scripts/bench/page.ts [flags]',
      summary: 'The page benchmark alone, the built widget in Chromium inside the sandbox: pop-up latency, API\ncost, recovery and overhead; prints its sections. `npm run bench -- --help` says what each size counts.',
      flags,
      environment: [
        ['CHROMIUM_PATH', 'the browser (default /usr/bin/chromium)'],
        ['E2E_WIDGET_DIR', 'the built widget (default dist/widget)'],
      ],
    }),
  );
  const opts: Partial<PageBenchOptions> = {};
  for (const key of sizes) (opts as Record<string, number | undefined>)[key] = values[flagOf(key)];
  runStandalone(async () => {
    const r = await runPageBench(opts, (l) => console.log(l));
    if (r.errors.length) console.log('errors:', r.errors);
    return r.sections;
  });
}
