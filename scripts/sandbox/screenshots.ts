/**
 * Takes the README's screenshots from the sandbox in real Chromium:
 *   docs/screenshots/popup.png     an inbound call's pop-up
 *   docs/screenshots/settings.png  the widget's settings panel (incl. the desktop-notification button)
 *   docs/screenshots/bell.png      completed calls under the bell
 * Usage: npx tsx scripts/sandbox/screenshots.ts [--widget-dir dist/widget] [--out docs/screenshots]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { SEED_NUMBERS } from '../crm';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';
import { startSandbox } from './server';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

const SCREENSHOTS_COMMAND = defineCommand({
  name: 'screenshots',
  usage: 'npx tsx scripts/sandbox/screenshots.ts [flags]',
  summary: "Takes the README's screenshots from the sandbox in headless Chromium: popup.png (an inbound\ncall's pop-up), settings.png (the widget's settings panel) and bell.png (completed calls under the bell).",
  flags: {
    'widget-dir': { type: 'string', value: 'dir', shownDefault: 'dist/widget', description: 'the built widget the sandbox serves' },
    out: { type: 'string', value: 'dir', shownDefault: 'docs/screenshots', description: 'where the PNG files go' },
  },
  environment: [['CHROMIUM_PATH', 'the browser (default /usr/bin/chromium)']],
});

/** The settings panel as an admin opens it (⚙ Widget), whole: the viewport grows until the dialog needs no scrolling. */
async function settingsShot(page: Page, file: string): Promise<void> {
  await page.click('[data-testid=open-settings]');
  await page.waitForSelector('[data-testid=telephony-desktop-ask]');
  const modal = page.locator('#modal');
  const needed = await modal.evaluate((el) => el.scrollHeight);
  const viewport = page.viewportSize();
  // The dialog is at most 85% of the viewport high (host.css), 60 px from the top.
  if (viewport) await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, Math.ceil((needed + 80) / 0.85)) });
  await page.waitForFunction(() => {
    const el = document.querySelector('#modal');
    return el !== null && el.scrollHeight <= el.clientHeight;
  });
  await modal.screenshot({ path: file });
  await page.click('[data-testid=settings-cancel]');
  if (viewport) await page.setViewportSize(viewport);
}

async function main(): Promise<void> {
  const { values } = readCommandLine(SCREENSHOTS_COMMAND);
  const root = path.resolve(__dirname, '..', '..');
  const widgetDir = path.resolve(values['widget-dir'] ?? path.join(root, 'dist', 'widget'));
  const outDir = path.resolve(values.out ?? path.join(root, 'docs', 'screenshots'));
  if (!fs.existsSync(path.join(widgetDir, 'script.js'))) throw new Error(`${widgetDir}/script.js is missing: run npm run build`);
  fs.mkdirSync(outDir, { recursive: true });

  const sandbox = await startSandbox({ port: 0, widgetDir });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kommo-shots-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ARGS,
    headless: true,
    viewport: { width: 1100, height: 640 },
    deviceScaleFactor: 1,
  });
  try {
    const page = await context.newPage();
    await page.goto(`${sandbox.url}contacts/list?popup_ms=600000`);
    await page.waitForFunction(() => (window as unknown as { __sandbox?: { ready: boolean } }).__sandbox?.ready === true);

    await settingsShot(page, path.join(outDir, 'settings.png'));

    // The pop-up: Adam Noah calls extension 101 (the signed-in user).
    const call = await sandbox.pbx.apply({ action: 'ring', phone: SEED_NUMBERS.adamNoah, extension: '101' });
    await page.waitForSelector('[data-testid=popup]');
    await page.waitForFunction(() => document.querySelector('[data-testid=popup-text]')?.textContent?.includes('Adam Noah'));
    await page.screenshot({ path: path.join(outDir, 'popup.png'), clip: { x: 0, y: 0, width: 1100, height: 300 } });

    // Completed calls under the bell: Adam's (answered, recorded) and an outbound one to Kommo.
    await sandbox.pbx.apply({ action: 'answer', callId: call.callId });
    await sandbox.pbx.apply({ action: 'hangup', callId: call.callId, recording: true, duration: 185 });
    const out = await sandbox.pbx.apply({ action: 'ring', phone: SEED_NUMBERS.kommoCompany, extension: '101', direction: 'outbound' });
    await sandbox.pbx.apply({ action: 'answer', callId: out.callId });
    await sandbox.pbx.apply({ action: 'hangup', callId: out.callId, recording: true, duration: 42 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=bell-entry]').length >= 2);
    await page.evaluate(() => document.querySelectorAll('[data-testid=popup]').forEach((p) => p.remove()));
    await page.click('[data-testid=bell]');
    const box = await page.locator('[data-testid=bell-list]').boundingBox();
    if (!box) throw new Error('the bell list is not on screen');
    await page.screenshot({
      path: path.join(outDir, 'bell.png'),
      clip: { x: 0, y: 0, width: 1100, height: Math.min(640, Math.ceil(box.y + box.height + 16)) },
    });
    console.log(`wrote ${['popup.png', 'settings.png', 'bell.png'].map((name) => path.join(outDir, name)).join(', ')}`);
  } finally {
    await context.close();
    await sandbox.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
});
