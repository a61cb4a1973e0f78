/**
 * The latency chart: one cumulative distribution line per scenario (x: latency in ms on a log
 * scale, y: share of pop-ups shown by then), with the p95 marked. Built as SVG text here and
 * turned into a PNG by Chromium (playwright-core), so what the PNG shows is exactly the SVG.
 */
import type { Browser } from 'playwright-core';
import type { LatencySeries } from './types';

const W = 1280;
const H = 540;
const M = { left: 70, right: 440, top: 50, bottom: 60 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function latencySvg(series: LatencySeries[], title: string): string {
  const withData = series.filter((s) => s.samplesMs.length > 0);
  const all = withData.flatMap((s) => s.samplesMs);
  // Log scale needs a positive floor: sub-millisecond samples sit at 0.5 ms.
  const floor = 0.5;
  const lo = floor;
  const hi = Math.max(10, ...all) * 1.1;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number) => M.left + ((Math.log10(Math.max(v, floor)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * pw;
  const y = (share: number) => M.top + (1 - share) * ph;
  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(`<text x="${M.left}" y="28" font-size="18" font-weight="bold">${esc(title)}</text>`);
  // Grid: decades and 1-2-5 steps.
  for (let decade = 0.1; decade <= hi * 10; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const v = decade * step;
      if (v < lo || v > hi) continue;
      const gx = x(v).toFixed(1);
      parts.push(`<line x1="${gx}" y1="${M.top}" x2="${gx}" y2="${M.top + ph}" stroke="${step === 1 ? '#ccc' : '#eee'}"/>`);
      parts.push(`<text x="${gx}" y="${M.top + ph + 18}" font-size="12" text-anchor="middle">${v >= 1 ? v : v.toFixed(1)}</text>`);
    }
  }
  for (const share of [0, 0.25, 0.5, 0.75, 0.95, 1]) {
    const gy = y(share).toFixed(1);
    parts.push(`<line x1="${M.left}" y1="${gy}" x2="${M.left + pw}" y2="${gy}" stroke="${share === 0.95 ? '#f99' : '#eee'}"/>`);
    parts.push(`<text x="${M.left - 8}" y="${gy}" font-size="12" text-anchor="end" dominant-baseline="middle">${Math.round(share * 100)}%</text>`);
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 15}" font-size="13" text-anchor="middle">latency from the relay sending "ringing" (WebSocket frame or poll answer) to show_notification in the page (ms, log scale)</text>`);
  parts.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" font-size="13" text-anchor="middle">pop-ups shown (cumulative)</text>`);
  withData.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const sorted = [...s.samplesMs].sort((a, b) => a - b);
    const n = sorted.length + s.missing;
    const pts: string[] = [`${x(sorted[0] ?? floor).toFixed(1)},${y(0).toFixed(1)}`];
    sorted.forEach((v, k) => {
      pts.push(`${x(v).toFixed(1)},${y(k / n).toFixed(1)}`, `${x(v).toFixed(1)},${y((k + 1) / n).toFixed(1)}`);
    });
    parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
    const p95 = s.summary.p95;
    if (p95 !== null) parts.push(`<circle cx="${x(p95).toFixed(1)}" cy="${y(0.95).toFixed(1)}" r="4" fill="${color}"/>`);
    const ly = M.top + 10 + i * 22;
    parts.push(`<line x1="${W - M.right + 15}" y1="${ly}" x2="${W - M.right + 40}" y2="${ly}" stroke="${color}" stroke-width="3"/>`);
    const label = `${s.name} (p95 ${p95 === null ? 'n/a' : `${Math.round(p95)} ms`})`;
    parts.push(`<text x="${W - M.right + 46}" y="${ly}" font-size="12" dominant-baseline="middle">${esc(label)}</text>`);
  });
  if (withData.length === 0) {
    parts.push(`<text x="${M.left + pw / 2}" y="${M.top + ph / 2}" font-size="16" text-anchor="middle">no latency measured</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, Arial, sans-serif">${parts.join('')}</svg>`;
}

/** Renders the SVG in a Chromium page and screenshots it. */
export async function svgToPng(browser: Browser, svg: string): Promise<Buffer> {
  const page = await browser.newPage({ viewport: { width: W, height: H } });
  try {
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    return await page.screenshot({ clip: { x: 0, y: 0, width: W, height: H }, type: 'png' });
  } finally {
    await page.close();
  }
}
