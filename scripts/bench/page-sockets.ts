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
}

interface BenchWindow {
  WebSocket: typeof WebSocket;
  __benchNativeWebSocket: typeof WebSocket;
  __benchSubscribed: SubscribedLog;
}

export async function recordSnapshots(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as BenchWindow;
    const Native = w.WebSocket;
    const log: SubscribedLog = { widget: [], naive: [] };
    w.__benchSubscribed = log;
    w.__benchNativeWebSocket = Native;
    // The test is inlined: an init script cannot see module scope.
    const snapshot = (data: unknown) => {
      if (typeof data !== 'string') return false;
      try {
        return (JSON.parse(data) as { type?: unknown }).type === 'snapshot';
      } catch {
        return false;
      }
    };
    class Recorded extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener('message', (e) => {
          const at = Date.now();
          if (snapshot(e.data)) log.widget.push(at);
        });
      }
    }
    w.WebSocket = Recorded;
  });
}

/** Starts the naive client in the page: subscribes `extension` with `token`, retries every 1 s. */
export async function startNaiveClient(page: Page, url: string, token: string, extension: string): Promise<void> {
  await page.evaluate(
    ([wsUrl, tok, ext]) => {
      const w = window as unknown as BenchWindow;
      const connect = () => {
        const ws = new w.__benchNativeWebSocket(wsUrl);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', token: tok, extensions: [ext] }));
        ws.onmessage = (e) => {
          const at = Date.now();
          try {
            if ((JSON.parse(String(e.data)) as { type?: unknown }).type === 'snapshot') w.__benchSubscribed.naive.push(at);
          } catch {
            // not a frame the comparison counts
          }
        };
        ws.onclose = () => setTimeout(connect, 1000);
      };
      connect();
    },
    [url, token, extension] as const,
  );
}

export function subscribedLog(page: Page): Promise<SubscribedLog> {
  return page.evaluate(() => {
    const log = (window as unknown as BenchWindow).__benchSubscribed;
    return { widget: [...log.widget], naive: [...log.naive] };
  });
}
