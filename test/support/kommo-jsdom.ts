/**
 * Loads the BUILT widget (dist/widget/script.js) in jsdom with the sandbox's own Kommo double
 * (scripts/sandbox/kommo, the same compiled /sandbox/host.js the sandbox page runs): real
 * RequireJS, jQuery and underscore, `APP` recording every call, instances with the host's helpers
 * on `this`. Unlike the sandbox page, the test runs the callbacks itself. Files and the
 * account's /api come from a loopback HTTP server, as they would from Kommo's origin.
 */
import * as fs from 'fs';
import * as http from 'http';
import { TextDecoder } from 'util';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { JSDOM, VirtualConsole } from 'jsdom';
import { kommoDoubleScript } from '../../scripts/sandbox/kommo/build';
import type { HostWindow } from '../../scripts/sandbox/kommo/page-globals';
import type { NotificationKind, SandboxRecord } from '../../scripts/sandbox/kommo/recorder';

const root = path.resolve(__dirname, '../..');
const distDir = path.join(root, 'dist/widget');

export interface RecordedApp {
  popups: Array<{ text: { header: string; text: string }; type: string; date?: number }>;
  calls: Array<Record<string, unknown>>;
  messages: Array<{ header: string; text: string }>;
}

export interface HarnessOptions {
  settings: Record<string, unknown>;
  user?: { id: number; name?: string } | null;
  lang?: string;
  /** Extra routes on the page's origin (the CRM's /api). Return true when handled. */
  handle?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  /** Start the page as https? Only the location matters to the widget (jsdom fetches nothing from it then). */
  protocol?: 'http:';
}

export interface Harness {
  window: Window & typeof globalThis & { APP: unknown; require: (deps: string[], ok: (...m: unknown[]) => void, fail?: (e: unknown) => void) => void };
  origin: string;
  app: RecordedApp;
  /** The widget instance Kommo would hold. */
  widget: { callbacks: Record<string, (...args: unknown[]) => unknown> };
  Widget: (new () => unknown) & { prototype: unknown };
  /** Timers the page has pending right now (setTimeout/setInterval not yet fired or cleared). */
  pendingTimers(): number;
  /** WebSockets the page has opened and not closed nor begun closing. */
  openSockets(): number;
  /** Listeners added to window/document after the harness set up, not removed yet. */
  liveListeners(): string[];
  logs: string[];
  /** A second instance, as Kommo may construct on an area change. */
  construct(): { callbacks: Record<string, (...args: unknown[]) => unknown> };
  close(): Promise<void>;
}

function contentType(file: string): string {
  if (file.endsWith('.js')) return 'application/javascript';
  if (file.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}

/** The recorded calls of some kinds, in the order the widget made them. */
function inOrder(record: SandboxRecord, kinds: NotificationKind[]): unknown[] {
  const seen = new Map<NotificationKind, number>();
  const out: unknown[] = [];
  for (const { kind } of record.timeline) {
    const index = seen.get(kind) ?? 0;
    seen.set(kind, index + 1);
    if (kinds.includes(kind)) out.push(record.calls[kind][index]);
  }
  return out;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const lang = options.lang ?? 'en';
  const files: Record<string, string> = {
    '/vendor/require.js': path.join(root, 'node_modules/requirejs/require.js'),
    '/vendor/jquery.js': path.join(root, 'node_modules/jquery/dist/jquery.js'),
    '/vendor/underscore.js': path.join(root, 'node_modules/underscore/underscore-umd.js'),
    // script.js and the parts it loads where they are used (settings.js, poll.js, lease.js,
    // leader.js: src/platform/widget-part.ts), as the zip has them beside it.
    ...Object.fromEntries(
      (fs.existsSync(distDir) ? fs.readdirSync(distDir) : []).filter((f) => f.endsWith('.js')).map((f) => [`/widget/${f}`, path.join(distDir, f)]),
    ),
    '/widget/manifest.json': path.join(distDir, 'manifest.json'),
    [`/widget/i18n/${lang}.json`]: path.join(distDir, 'i18n', `${lang}.json`),
  };
  if (!fs.existsSync(files['/widget/script.js']!)) throw new Error('dist/widget/script.js is missing: run `npm run build` first');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (options.handle?.(req, res)) return;
    const file = files[url.pathname];
    if (file) {
      res.writeHead(200, { 'Content-Type': contentType(file) });
      fs.createReadStream(file).pipe(res);
      return;
    }
    if (url.pathname === '/sandbox/host.js') {
      res.writeHead(200, { 'Content-Type': 'application/javascript' });
      res.end(kommoDoubleScript());
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><html lang="${lang}"><head><script src="/vendor/require.js"></script><script src="/sandbox/host.js"></script></head><body></body></html>`);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const logs: string[] = [];
  const virtualConsole = new VirtualConsole();
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    virtualConsole.on(level, (...args: unknown[]) => logs.push(`${level}: ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`));
  }
  virtualConsole.on('jsdomError', (error: Error) => logs.push(`jsdomError: ${error.message}`));

  const dom = await JSDOM.fromURL(origin + '/', { runScripts: 'dangerously', resources: 'usable', pretendToBeVisual: true, virtualConsole });
  if (dom.window.document.readyState !== 'complete') {
    await new Promise<void>((resolve) => dom.window.addEventListener('load', () => resolve()));
  }
  const win = dom.window as unknown as Harness['window'];

  // Count what the widget leaves running.
  const live = new Set<unknown>();
  const rawSetTimeout = win.setTimeout.bind(win);
  const rawClearTimeout = win.clearTimeout.bind(win);
  const rawSetInterval = win.setInterval.bind(win);
  const rawClearInterval = win.clearInterval.bind(win);
  (win as unknown as Record<string, unknown>).setTimeout = (fn: () => void, ms?: number, ...rest: unknown[]) => {
    const handle: unknown = rawSetTimeout(() => {
      live.delete(handle);
      fn(...(rest as []));
    }, ms);
    live.add(handle);
    return handle;
  };
  (win as unknown as Record<string, unknown>).clearTimeout = (handle: unknown) => {
    live.delete(handle);
    rawClearTimeout(handle as number);
  };
  (win as unknown as Record<string, unknown>).setInterval = (fn: () => void, ms?: number) => {
    const handle: unknown = rawSetInterval(fn, ms);
    live.add(handle);
    return handle;
  };
  (win as unknown as Record<string, unknown>).clearInterval = (handle: unknown) => {
    live.delete(handle);
    rawClearInterval(handle as number);
  };
  // Listeners the page adds to window and document and has not removed.
  const listeners = new Set<string>();
  let listenerSeq = 0;
  const listenerIds = new WeakMap<object, string>();
  for (const target of [win, win.document] as EventTarget[]) {
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    const label = target === win ? 'window' : 'document';
    target.addEventListener = (type: string, fn: EventListenerOrEventListenerObject | null, opts?: boolean | AddEventListenerOptions) => {
      if (fn && typeof fn === 'object' || typeof fn === 'function') {
        const id = listenerIds.get(fn as object) ?? `#${++listenerSeq}`;
        listenerIds.set(fn as object, id);
        listeners.add(`${label}:${type}:${id}`);
      }
      add(type, fn, opts);
    };
    target.removeEventListener = (type: string, fn: EventListenerOrEventListenerObject | null, opts?: boolean | EventListenerOptions) => {
      const id = fn ? listenerIds.get(fn as object) : undefined;
      if (id) listeners.delete(`${label}:${type}:${id}`);
      remove(type, fn, opts);
    };
  }
  const sockets = new Set<WebSocket>();
  const RawWebSocket = win.WebSocket;
  class CountingWebSocket extends RawWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.add(this);
      this.addEventListener('close', () => sockets.delete(this));
    }
  }
  (win as unknown as Record<string, unknown>).WebSocket = CountingWebSocket;
  // jsdom has no fetch; a browser does. Node's fetch stands in, resolving relative URLs.
  (win as unknown as Record<string, unknown>).fetch = (input: string | URL, init?: RequestInit) =>
    fetch(new URL(String(input), origin), init);
  // Nor TextDecoder (the lookup reads its answer as a bounded stream with it); every browser has it.
  (win as unknown as Record<string, unknown>).TextDecoder ??= TextDecoder;

  // The double the sandbox page runs, without the page's chrome: it records, the test looks.
  const double = (win as unknown as HostWindow).KommoDouble;
  if (!double) throw new Error(`the Kommo double did not load: ${logs.join('\n')}`);
  const user = options.user === undefined ? { id: 504141, name: 'Maria Manager' } : options.user;
  const host = await double.openHost({
    widget: { path: '/widget', code: 'telephony', version: '1.0.0' },
    lang,
    user,
    users: user ? [user] : [],
    settings: double.memorySettings(options.settings),
  });
  const record = host.recorder.record;
  const app: RecordedApp = {
    get popups() {
      return record.calls.show_notification as RecordedApp['popups'];
    },
    get calls() {
      return record.calls.add_call as RecordedApp['calls'];
    },
    get messages() {
      return inOrder(record, ['show_message', 'show_message_error']) as RecordedApp['messages'];
    },
  };
  const Widget = (await host.loadWidget()) as unknown as Harness['Widget'];
  const construct = () => {
    const instance = host.construct();
    if (!instance) throw new Error(`the widget's constructor threw: ${JSON.stringify(record.errors)}`);
    return instance as unknown as Harness['widget'];
  };
  const widget = construct();

  return {
    window: win,
    origin,
    app,
    widget,
    Widget,
    construct,
    logs,
    pendingTimers: () => live.size,
    openSockets: () => [...sockets].filter((s) => s.readyState === s.CONNECTING || s.readyState === s.OPEN).length,
    liveListeners: () => [...listeners],
    async close() {
      win.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
