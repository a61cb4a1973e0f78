/**
 * `npm run test:mutation` (issue 11): runs Stryker (stryker.config.json: the core modules of src/
 * against the unit tests, incremental against test/mutation/stryker-incremental.json), then
 * prints the mutation score per module (src/<module>/) and in total, and exits 1 when the total
 * is under the floor: `thresholds.break` in stryker.config.json, the one place it is written.
 *
 * Arguments are passed on to `stryker run`, e.g. `--force` (re-test every mutant and rewrite the
 * incremental file) or `--mutate 'src/protocol/**\/*.ts'` (a subset; the floor is then not
 * checked, since a subset's score says nothing about the total). See scripts/mutation/README.md.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const configFile = path.join(root, 'stryker.config.json');

interface StrykerConfig {
  thresholds?: { break?: number | null };
  jsonReporter?: { fileName?: string };
  incrementalFile?: string;
}
interface Mutant {
  status: string;
}
interface Report {
  files: Record<string, { mutants: Mutant[] }>;
}

/** Stryker's own counting: detected = killed + timeout; undetected = survived + no coverage. */
interface Tally {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  errors: number;
}
const emptyTally = (): Tally => ({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 });

function add(t: Tally, status: string): void {
  switch (status) {
    case 'Killed': t.killed++; break;
    case 'Timeout': t.timeout++; break;
    case 'Survived': t.survived++; break;
    case 'NoCoverage': t.noCoverage++; break;
    case 'Ignored': t.ignored++; break;
    default: t.errors++; // CompileError, RuntimeError: not counted in the score
  }
}

/** The mutation score in percent, or NaN when nothing counts. */
function score(t: Tally): number {
  const detected = t.killed + t.timeout;
  const valid = detected + t.survived + t.noCoverage;
  return valid === 0 ? NaN : (100 * detected) / valid;
}

/** `src/feed/ws-transport.ts` → `src/feed`; anything else keeps its folder. */
function moduleOf(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[0] === 'src' && parts.length > 2 ? `src/${parts[1]}` : path.dirname(file);
}

/**
 * Keeps the committed incremental file small and the same on every machine: Stryker stores each
 * mutant's failure message whole (one test feeds a 1 MB frame: 80 MB of messages) and the
 * absolute project root; neither is read back by the incremental diff.
 */
function compactIncrementalFile(file: string, since: number): void {
  if (!fs.existsSync(file) || fs.statSync(file).mtimeMs < since) return;
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { projectRoot?: string; files: Record<string, { mutants: { statusReason?: string }[] }> };
  data.projectRoot = '.';
  for (const { mutants } of Object.values(data.files)) {
    for (const m of mutants) {
      if (m.statusReason !== undefined && m.statusReason.length > 300) m.statusReason = `${m.statusReason.slice(0, 300)}…`;
    }
  }
  fs.writeFileSync(file, JSON.stringify(data));
}

function main(): number {
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as StrykerConfig;
  const floor = config.thresholds?.break ?? 0;
  const reportFile = path.join(root, config.jsonReporter?.fileName ?? 'reports/mutation/mutation.json');
  const args = process.argv.slice(2);
  const subset = args.some((a) => a === '--mutate' || a === '-m' || a.startsWith('--mutate='));

  fs.rmSync(reportFile, { force: true });
  const started = Date.now();
  const stryker = path.join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
  const run = spawnSync(process.execPath, [stryker, 'run', configFile, ...args], { cwd: root, stdio: 'inherit' });
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  compactIncrementalFile(path.join(root, config.incrementalFile ?? 'reports/stryker-incremental.json'), started);

  if (!fs.existsSync(reportFile)) {
    console.error(`\nmutation: Stryker wrote no report (${path.relative(root, reportFile)}); exit ${run.status ?? run.signal}. See its output above.`);
    return 1;
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as Report;
  const modules = new Map<string, Tally>();
  const total = emptyTally();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const name = moduleOf(path.isAbsolute(file) ? path.relative(root, file) : file);
    const t = modules.get(name) ?? emptyTally();
    modules.set(name, t);
    for (const m of mutants) {
      add(t, m.status);
      add(total, m.status);
    }
  }

  const fmt = (n: number) => (Number.isNaN(n) ? '   n/a' : `${n.toFixed(2).padStart(6)}`);
  const row = (name: string, t: Tally) =>
    `${name.padEnd(14)} ${fmt(score(t))} %  killed ${String(t.killed).padStart(4)}  timeout ${String(t.timeout).padStart(3)}  survived ${String(t.survived).padStart(4)}  no coverage ${String(t.noCoverage).padStart(4)}  ignored ${String(t.ignored).padStart(4)}`;
  console.log('\nMutation score per module (killed + timeout over all but ignored/errors):');
  for (const name of [...modules.keys()].sort()) console.log(row(name, modules.get(name)!));
  console.log(row('total', total));
  console.log(`Stryker took ${minutes} min; floor (thresholds.break in stryker.config.json): ${floor} %.`);

  const totalScore = score(total);
  if (subset) {
    console.log('mutation: a --mutate subset: the floor is not checked.');
    return run.status === 0 || run.status === null ? 0 : run.status;
  }
  if (Number.isNaN(totalScore) || totalScore < floor) {
    console.error(`mutation: FAIL: total mutation score ${fmt(totalScore).trim()} % is under the floor of ${floor} %.`);
    return 1;
  }
  if (run.status !== 0) {
    console.error(`mutation: FAIL: Stryker exited with ${run.status ?? run.signal}.`);
    return 1;
  }
  console.log(`mutation: OK: total ${totalScore.toFixed(2)} % >= floor ${floor} %.`);
  return 0;
}

process.exitCode = main();
