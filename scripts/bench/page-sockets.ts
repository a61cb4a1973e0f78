/**
 * In-page instruments for the outage table (outage.ts), both run in the host page:
 *  - recordSnapshots: an init script that wraps window.WebSocket before the widget loads, so the
 *    page notes Date.now() whenever a snapshot frame reaches one of the widget's sockets (the
 *    widget counts as subscribed when its snapshot arrives: FeedStatus `open`);
 *  - startNaiveClient: the comparison, the simplest client a PBX vendor might write: one
 *    WebSocket, subscribe on open, and on any close a new attempt 1 s later. It uses the native
 *    constructor, so its snapshots are noted apart.
 * Page clock: the same wall clock as the benchmark's Node process (one machine).
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface SubscribedLog {
  widget: number[];
  naive: number[];
  /** Date.now() of every WebSocket the widget constructed (its connection attempts). */
  attempts: number[];
}

interface BenchWindow {
  __benchSubscribed: SubscribedLog;
}

/*
 * Both page scripts are strings: tsx (esbuild) would wrap named functions written here in a
 * `__name` helper that does not exist in the page.
 */
const RECORD_SNAPSHOTS = `(() => {
  const Native = window.WebSocket;
  const log = { widget: [], naive: [], attempts: [] };
  window.__benchSubscribed = log;
  window.__benchNativeWebSocket = Native;
  const isSnapshot = (data) => {
    if (typeof data !== 'string') return false;
    try { return JSON.parse(data).type === 'snapshot'; } catch (e) { return false; }
  };
  class Recorded extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      log.attempts.push(Date.now());
      this.addEventListener('message', (e) => {
        const at = Date.now();
        if (isSnapshot(e.data)) log.widget.push(at);
      });
    }
  }
  window.WebSocket = Recorded;
})();`;

export async function recordSnapshots(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: RECORD_SNAPSHOTS });
}

/** The same recorder in a page that is already open (the naive client's own blank page). */
export async function recordSnapshotsNow(page: Page): Promise<void> {
  await page.evaluate(RECORD_SNAPSHOTS);
}

/** Starts the naive client in the page: subscribes `extension` with `token`, retries every 1 s. */
export async function startNaiveClient(page: Page, url: string, token: string, extension: string): Promise<void> {
  const args = JSON.stringify({ url, token, extension });
  await page.evaluate(`(() => {
    const o = ${args};
    const connect = () => {
      const ws = new window.__benchNativeWebSocket(o.url);
      ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', token: o.token, extensions: [o.extension] }));
      ws.onmessage = (e) => {
        const at = Date.now();
        try { if (JSON.parse(String(e.data)).type === 'snapshot') window.__benchSubscribed.naive.push(at); } catch (err) { /* not counted */ }
      };
      ws.onclose = () => setTimeout(connect, 1000);
    };
    connect();
  })()`);
}

export function subscribedLog(page: Page): Promise<SubscribedLog> {
  return page.evaluate(() => {
    const log = (window as unknown as BenchWindow).__benchSubscribed;
    return { widget: [...log.widget], naive: [...log.naive], attempts: [...log.attempts] };
  });
}
