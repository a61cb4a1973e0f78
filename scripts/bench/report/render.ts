/**
 * Re-renders report.md, latency.svg and latency.png from an existing report.json (after a change
 * to the markdown or the chart, without measuring again).
 * Run: npx tsx scripts/bench/report/render.ts [docs/bench]
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../../../test/support/browser';
import type { BenchReport } from './types';
import { writeReport } from './write';

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '../../../docs/bench'));
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
