/**
 * Re-renders report.md, latency.svg and latency.png from an existing report.json (after a change
 * to the markdown or the chart, without measuring again).
 * Run: npx tsx scripts/bench/report/render.ts [docs/bench]
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { defineCommand, readCommandLine } from '../../../relay/src/command-line';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/browser';
import type { BenchReport } from './types';
import { writeReport } from './write';

const RENDER_COMMAND = defineCommand({
  name: 'bench-render',
  usage: 'npx tsx scripts/bench/report/render.ts [dir]',
  summary: 'Re-renders report.md, latency.svg and latency.png from an existing report.json, without measuring again.',
  positionals: [{ name: 'dir', description: 'the folder with report.json, where the files go (default docs/bench)' }],
  flags: {},
  environment: [['CHROMIUM_PATH', 'the browser that draws latency.png (default /usr/bin/chromium)']],
});

async function main(): Promise<void> {
  const { positionals } = readCommandLine(RENDER_COMMAND);
  const dir = path.resolve(positionals[0] ?? path.join(__dirname, '../../../docs/bench'));
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as BenchReport;
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
  try {
    const written = await writeReport(dir, report, browser);
    console.log(`Wrote ${written.join(', ')}`);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
