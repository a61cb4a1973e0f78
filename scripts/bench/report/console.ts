/** Printing a section when a benchmark script runs on its own (`npx tsx scripts/bench/feed.ts`). */
import { formatValue } from './markdown';
import type { Section } from './types';

export function printSection(section: Section, log: (line: string) => void = console.log): void {
  log(`\n${section.title}`);
  for (const s of section.latency ?? []) {
    const { n, p50, p95, p99, max } = s.summary;
    const ms = (v: number | null) => (v === null ? "n/a" : `${Number(v.toFixed(2))} ms`);
    log(`  ${s.name}: n=${n} p50=${ms(p50)} p95=${ms(p95)} p99=${ms(p99)} max=${ms(max)}${s.missing ? ` (${s.missing} missing)` : ''}`);
  }
  for (const f of section.figures) log(`  ${f.label}: ${formatValue(f)}`);
}

/** Runs a benchmark as a script: prints its sections, or the error with a non-zero exit. */
export function runStandalone(run: () => Promise<Section | Section[]>): void {
  run().then(
    (result) => {
      for (const section of Array.isArray(result) ? result : [result]) printSection(section);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
