/**
 * Every command line of scripts/ as a developer starts it (`node --import tsx <file>`): `--help`
 * prints its usage and flags and exits 0; an unknown flag is refused in one line naming it, exit
 * code 2, before any work. Nothing else runs, so this stays fast.
 */
import path from 'node:path';
import { runCommand } from '../support/command';

const ROOT = path.resolve(__dirname, '..', '..');

/** [file, its name in messages, flags its --help must list]. */
const COMMAND_LINES: Array<[string, string, string[]]> = [
  ['scripts/build.ts', 'build', ['--out <dir>', '--script <file>', '--root <dir>']],
  ['scripts/validate.ts', 'validate', ['folder-or-zip']],
  ['scripts/sandbox/start.ts', 'start', ['-p, --port <n>', '--host <address>', '--https', '-v, --verbose', 'env PORT', 'env HOST']],
  ['scripts/sandbox/call-cli.ts', 'call', ['ring', 'restart-relay', '--url <url>', '--from <number>', '--ext <ext>', '--recording', '--clear', 'env SANDBOX_URL']],
  ['scripts/make-images.ts', 'make-images', ['out-dir']],
  ['scripts/sandbox/screenshots.ts', 'screenshots', ['--widget-dir <dir>', '--out <dir>', 'CHROMIUM_PATH']],
  ['scripts/bench/run.ts', 'bench', ['--calls <n>', '--poll-calls-1s <n>', '--tab-modes <modes>', '--skip <sections>', '--out <dir>', '--quick']],
  ['scripts/bench/bundle.ts', 'bench-bundle', ['script.js']],
  ['scripts/bench/feed.ts', 'bench-feed', ['FEED_BENCH_WS_SAMPLES', 'FEED_BENCH_POLL_SAMPLES']],
  ['scripts/bench/lookup.ts', 'bench-lookup', []],
  ['scripts/bench/page.ts', 'bench-page', ['--calls <n>', '--pace-ms <n>', '--memory-calls <n>']],
  ['scripts/bench/tabs.ts', 'bench-tabs', ['--widget-dir <dir>', '--closes <n>']],
  ['scripts/bench/report/render.ts', 'bench-render', ['dir']],
];

const run = (file: string, args: string[]) => runCommand(process.execPath, ['--import', 'tsx', path.join(ROOT, file), ...args], { cwd: ROOT });

test.concurrent.each(COMMAND_LINES)('%s answers --help and refuses an unknown flag', async (file, name, listed) => {
  const [help, unknown] = await Promise.all([run(file, ['--help']), run(file, ['--no-such-flag'])]);
  expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
  expect(help.stdout).toMatch(/^usage: \S+/);
  expect(help.stdout).toContain('-h, --help');
  for (const text of listed) expect(help.stdout).toContain(text);
  expect({ code: unknown.code, stdout: unknown.stdout, stderr: unknown.stderr }).toEqual({
    code: 2,
    stdout: '',
    stderr: `${name}: unknown flag --no-such-flag (see --help)\n`,
  });
}, 60_000);
