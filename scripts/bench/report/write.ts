/** Writes report.json, report.md and latency.png (+ latency.svg) into a directory. */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { latencySvg, svgToPng } from './chart';
import { renderMarkdown } from './markdown';
import type { BenchReport } from './types';

export async function writeReport(dir: string, report: BenchReport, browser: Browser | null): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  // The chart is the pop-up latency distribution: only sections marked for it.
  const series = report.sections.filter((s) => s.chart).flatMap((s) => s.latency ?? []);
  let chart: string | null = null;
  if (series.length > 0) {
    const svg = latencySvg(series, 'Pop-up latency (CDF, dot = p95)');
    fs.writeFileSync(path.join(dir, 'latency.svg'), svg);
    written.push(path.join(dir, 'latency.svg'));
    chart = 'latency.svg';
    if (browser) {
      fs.writeFileSync(path.join(dir, 'latency.png'), await svgToPng(browser, svg));
      written.push(path.join(dir, 'latency.png'));
      chart = 'latency.png';
    }
  }
  fs.writeFileSync(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'report.md'), renderMarkdown(report, chart));
  written.push(path.join(dir, 'report.json'), path.join(dir, 'report.md'));
  return written;
}
