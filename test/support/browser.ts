/**
 * End-to-end harness: a sandbox on a free port, Debian's Chromium driven by playwright-core
 * (fresh profile per browser), and the host page opened with given settings, user and language.
 *
 *   const h = await startHarness();
 *   const page = await h.openWidget({ user: 101 });
 *   await h.ring('+1 830 580 3077', '101');
 *   await page.waitForSelector('[data-testid=popup]');
 *   await h.close();
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { startSandbox } from '../../scripts/sandbox/server';
import type { Sandbox, SandboxOptions } from '../../scripts/sandbox/server';
import type { PbxAction, PbxCall, PbxDirection } from '../../scripts/sandbox/pbx';
import { SANDBOX_USERS } from '../../scripts/sandbox/users';
export { waitUntil } from './wait';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** The browser the tests drive: $CHROMIUM_PATH, else Debian's chromium. Never a silent skip. */
export function chromiumPath(): string {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) {
    throw new Error(`Chromium not found (${candidates.join(', ')}): run \`bash scripts/ensure-chromium.sh\` (or set CHROMIUM_PATH)`);
  }
  return found;
}

export interface OpenOptions {
  /** Settings the widget's get_settings() answers; merged over the sandbox defaults. */
  settings?: Record<string, unknown>;
  /** A sandbox user id or extension (default: the first user, extension 101). */
  user?: number | string;
  lang?: string;
  /** Path to open (default /dashboard). */
  path?: string;
  /** Widget switched off before the page loads. */
  inactive?: boolean;
  /** How long pop-ups stay on screen, ms (default: long, so tests never race the auto-hide). */
  popupMs?: number;
  /** Wait for the widget to have run render/init (default true). */
  waitReady?: boolean;
  /** Extra localStorage entries on the page's origin (e.g. the dev-loader switch). */
  storage?: Record<string, string>;
}

export interface Harness {
  sandbox: Sandbox;
  context: BrowserContext;
  /** Errors thrown in any page (uncaught) and console errors of the widget, for assertions. */
  pageErrors: string[];
  defaultSettings(): Record<string, unknown>;
  openWidget(options?: OpenOptions): Promise<Page>;
  ring(phone: string, extension: string, direction?: PbxDirection): Promise<PbxCall>;
  pbx(action: PbxAction): Promise<PbxCall>;
  close(): Promise<void>;
}

/** The built widget the tests load: dist/widget (npm test builds it first), or E2E_WIDGET_DIR. */
export function widgetDir(): string {
  const dir = process.env.E2E_WIDGET_DIR || path.resolve(__dirname, '..', '..', 'dist', 'widget');
  if (!fs.existsSync(path.join(dir, 'script.js'))) {
    throw new Error(`${dir}/script.js is missing: run \`npm run build\` (or \`npx tsx scripts/build.ts\`) first`);
  }
  return dir;
}

export async function startHarness(options: SandboxOptions = {}): Promise<Harness> {
  chromiumPath();
  const sandbox = await startSandbox({ port: 0, widgetDir: widgetDir(), ...options });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kommo-e2e-'));
  let context: BrowserContext;
  try {
    // A persistent context is how playwright takes a --user-data-dir: a fresh one per browser.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
      headless: true,
      ignoreHTTPSErrors: Boolean(options.https),
      viewport: { width: 1280, height: 800 },
    });
  } catch (err) {
    await sandbox.close();
    fs.rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const pageErrors: string[] = [];

  const defaultSettings = (): Record<string, unknown> => {
    const phones: Record<string, string> = {};
    for (const u of SANDBOX_USERS) phones[String(u.id)] = u.extension;
    return {
      ws_url: sandbox.wsUrl,
      poll_url: '',
      poll_interval: '3',
      token: sandbox.tokens.token,
      phones,
      country: 'US',
      notify_mode: 'widget',
    };
  };

  async function openWidget(open: OpenOptions = {}): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    // Seed the profile's localStorage on the sandbox origin once, before the host page boots.
    await page.goto(new URL('/sandbox/host.css', sandbox.url).href);
    const user = SANDBOX_USERS.find((u) => String(u.id) === String(open.user) || u.extension === String(open.user)) ?? SANDBOX_USERS[0]!;
    await page.evaluate(
      ([settings, userId, lang, active, extra]) => {
        localStorage.clear();
        localStorage.setItem('sandbox.settings', settings);
        localStorage.setItem('sandbox.user', userId);
        localStorage.setItem('sandbox.lang', lang);
        localStorage.setItem('sandbox.active', active);
        for (const [key, value] of Object.entries(JSON.parse(extra) as Record<string, string>)) localStorage.setItem(key, value);
      },
      [
        JSON.stringify({ ...defaultSettings(), ...(open.settings ?? {}) }),
        String(user.id),
        open.lang ?? 'en',
        open.inactive ? 'N' : 'Y',
        JSON.stringify(open.storage ?? {}),
      ] as const,
    );
    const target = new URL(open.path ?? '/dashboard', sandbox.url);
    target.searchParams.set('popup_ms', String(open.popupMs ?? 600_000));
    await page.goto(target.href);
    if (open.waitReady !== false) await waitForWidget(page);
    return page;
  }

  return {
    sandbox,
    context,
    pageErrors,
    defaultSettings,
    openWidget,
    ring: (phone, extension, direction = 'inbound') => sandbox.pbx.apply({ action: 'ring', phone, extension, direction }),
    pbx: (action) => sandbox.pbx.apply(action),
    async close() {
      await context.close().catch(() => {});
      await sandbox.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The host page loaded script.js and ran the widget's callbacks; fails with what went wrong. */
export async function waitForWidget(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { __sandbox?: { ready: boolean } }).__sandbox?.ready === true);
  const errors = await sandboxErrors(page);
  if (errors.length) throw new Error(`the widget failed in the host page: ${JSON.stringify(errors)}`);
}

export interface SandboxRecord {
  calls: Record<'show_notification' | 'add_call' | 'show_message' | 'show_message_error' | 'add_error', unknown[]>;
  lifecycle: string[];
  errors: { callback: string; message: string }[];
  pageChanged: number;
  navigations: { url: string; inApp: boolean }[];
}

/** What the widget asked of the host so far (window.__sandbox). */
export function sandboxRecord(page: Page): Promise<SandboxRecord> {
  return page.evaluate(() => {
    const s = (window as unknown as { __sandbox: SandboxRecord }).__sandbox;
    return JSON.parse(JSON.stringify({ calls: s.calls, lifecycle: s.lifecycle, errors: s.errors, pageChanged: s.pageChanged, navigations: s.navigations })) as SandboxRecord;
  });
}

export async function sandboxErrors(page: Page): Promise<SandboxRecord['errors']> {
  return (await sandboxRecord(page)).errors;
}

/** Waits until the n-th pop-up (1-based) is on screen and answers its header and text. */
export async function nthPopup(page: Page, n: number): Promise<{ header: string; text: string }> {
  await page.waitForFunction((count) => document.querySelectorAll('[data-testid=popup]').length >= count, n);
  const popup = page.locator('[data-testid=popup]').nth(n - 1);
  return {
    header: (await popup.locator('[data-testid=popup-header]').innerText()).trim(),
    text: (await popup.locator('[data-testid=popup-text]').innerText()).trim(),
  };
}

