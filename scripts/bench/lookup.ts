/**
 * Caller-ID benchmark (issue 3). Prints three figures, and exports them for the report:
 *  1. lookups per second through normalise + cache (the path every repeated ring takes);
 *  2. gzip bytes libphonenumber-js/min adds to script.js: src/lookup/normalize.ts bundled with
 *     the project's webpack config twice, once with the library and once with it aliased to an
 *     empty stub; the difference of the gzip -9 sizes;
 *  3. requests sent for 100 calls from 20 numbers within 2 s, over real HTTP to the fixture CRM
 *     (cache + in-flight sharing should make it 20).
 * Run: npx tsx scripts/bench/lookup.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { performance } from 'node:perf_hooks';
import webpack from 'webpack';
import { systemClock } from '../../src/platform/system-clock';
import { silentLogger } from '../../src/core/logger';
import { createCallerLookup, normalizeNumber } from '../../src/lookup';
import { searchByPhone } from '../crm/by-phone-algorithm';
import { startCrmServer } from '../crm/crm-server';
import { createSeedAccount, SEED_NUMBERS } from '../crm/seed';
import type { Figure, Section } from './report/types';
import { runStandalone } from './report/console';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';

const ROOT = path.resolve(__dirname, '../..');
const unnamed = (type: 'lead' | 'customer', id: number) => `${type} #${id}`;

/** 20 numbers: the seed's, then unknown ones. */
const NUMBERS: string[] = [...Object.values(SEED_NUMBERS)];
for (let i = 0; NUMBERS.length < 20; i++) NUMBERS.push(`+1 830 555 ${String(2000 + i)}`);

/** Ways a PBX writes one number. */
function formatted(e164Like: string, variant: number): string {
  const digits = e164Like.replace(/\D/g, '');
  switch (variant % 4) {
    case 0: return e164Like;
    case 1: return `00${digits}`;
    case 2: return `+${digits.slice(0, 2)}-${digits.slice(2, 5)}-${digits.slice(5)}`;
    default: return `+${digits}`;
  }
}

export async function cachedThroughput(iterations = 200_000): Promise<{ lookupsPerSecond: number; normalisePerSecond: number }> {
  const account = createSeedAccount();
  const fakeFetch = (async (input: RequestInfo | URL) => {
    const phone = new URL(String(input), 'http://crm.invalid').searchParams.get('phone') ?? '';
    const body = searchByPhone(account, phone);
    return body ? new Response(JSON.stringify(body), { status: 200 }) : new Response(null, { status: 204 });
  }) as typeof fetch;
  const lookup = createCallerLookup({ fetch: fakeFetch, clock: systemClock, logger: silentLogger, country: 'US', unnamed, maxPerSecond: 1000 });
  await Promise.all(NUMBERS.map((n) => lookup.findByNumber(n)));
  const inputs = Array.from({ length: 80 }, (_, i) => formatted(NUMBERS[i % NUMBERS.length] as string, Math.floor(i / NUMBERS.length)));

  let start = performance.now();
  for (let i = 0; i < iterations; i++) await lookup.findByNumber(inputs[i % inputs.length] as string);
  const lookupsPerSecond = iterations / ((performance.now() - start) / 1000);

  start = performance.now();
  for (let i = 0; i < iterations; i++) normalizeNumber(inputs[i % inputs.length] as string, 'US');
  const normalisePerSecond = iterations / ((performance.now() - start) / 1000);
  lookup.dispose();
  return { lookupsPerSecond, normalisePerSecond };
}

export async function phoneLibraryBytes(): Promise<{ withGzip: number; withoutGzip: number; addedGzip: number; addedRaw: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookup-bench-'));
  try {
    const entry = path.join(dir, 'entry.js');
    const stub = path.join(dir, 'phone-stub.js');
    fs.writeFileSync(entry, `import { normalizeNumber } from ${JSON.stringify(path.join(ROOT, 'src/lookup/normalize.ts'))};\nexport default normalizeNumber;\n`);
    fs.writeFileSync(stub, 'export function parsePhoneNumberFromString() { return undefined; }\nexport function isSupportedCountry() { return false; }\n');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const makeConfig = require(path.join(ROOT, 'webpack.config.js')) as (env: Record<string, unknown>) => webpack.Configuration;
    const build = (name: string, alias: Record<string, string>) =>
      new Promise<Buffer>((resolve, reject) => {
        const config = makeConfig({ sourcemap: false });
        config.entry = entry;
        config.output = { ...config.output, path: path.join(dir, name), filename: 'script.js' };
        config.resolve = { ...config.resolve, alias };
        // Type checking is the typecheck step's job; others' half-done files must not matter here.
        config.module = { rules: [{ test: /\.ts$/, exclude: /node_modules/, use: { loader: 'ts-loader', options: { configFile: path.join(ROOT, 'tsconfig.build.json'), transpileOnly: true } } }] };
        webpack(config, (err, stats) => {
          if (err || !stats || stats.hasErrors()) return reject(err ?? new Error(stats?.toString('errors-only') ?? 'webpack failed'));
          resolve(fs.readFileSync(path.join(dir, name, 'script.js')));
        });
      });
    const withLib = await build('with', {});
    const without = await build('without', { 'libphonenumber-js/min$': stub });
    const gz = (b: Buffer) => zlib.gzipSync(b, { level: 9 }).length;
    return { withGzip: gz(withLib), withoutGzip: gz(without), addedGzip: gz(withLib) - gz(without), addedRaw: withLib.length - without.length };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function requestsForBurst(calls = 100, windowMs = 2000): Promise<{ requests: number; busiestSecond: number; kinds: Record<string, number> }> {
  const server = await startCrmServer();
  const lookup = createCallerLookup({ fetch, clock: systemClock, logger: silentLogger, origin: server.url, country: 'US', unnamed });
  try {
    const results = await Promise.all(
      Array.from({ length: calls }, (_, i) =>
        new Promise<void>((resolve) => setTimeout(resolve, Math.floor((i * windowMs) / calls))).then(() =>
          lookup.findByNumber(formatted(NUMBERS[(i * 7) % NUMBERS.length] as string, i)),
        ),
      ),
    );
    const kinds: Record<string, number> = {};
    for (const r of results) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
    const times = server.crm.requests.map((r) => r.at).sort((a, b) => a - b);
    const busiestSecond = Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
    return { requests: server.crm.requests.length, busiestSecond, kinds };
  } finally {
    lookup.dispose();
    await server.close();
  }
}

export async function runLookupBench(): Promise<Section> {
  const speed = await cachedThroughput();
  const bytes = await phoneLibraryBytes();
  const burst = await requestsForBurst();
  const figures: Figure[] = [
    { label: 'Cached lookups per second (normalise + cache hit)', value: Math.round(speed.lookupsPerSecond), unit: 'lookups/s', method: 'findByNumber awaited 200,000 times over 80 formattings of 20 cached numbers' },
    { label: 'Normalisations per second', value: Math.round(speed.normalisePerSecond), unit: 'calls/s', method: 'normalizeNumber 200,000 times, country US' },
    { label: 'libphonenumber-js/min in script.js (gzip)', value: bytes.addedGzip, unit: 'bytes', method: 'normalize.ts bundled with the project webpack config, with minus without the library (stub alias), gzip -9', note: `raw ${bytes.addedRaw} bytes; bundle with it ${bytes.withGzip} B gzip, without ${bytes.withoutGzip} B` },
    { label: 'Requests for 100 calls from 20 numbers in 2 s', value: burst.requests, unit: 'requests', method: 'real HTTP to the fixture CRM, one call every 20 ms, 4 formattings per number', note: `busiest 1 s at the server: ${burst.busiestSecond}; results ${JSON.stringify(burst.kinds)}` },
  ];
  return { title: 'Caller ID lookup', figures };
}

if (require.main === module) {
  readCommandLine(
    defineCommand({
      name: 'bench-lookup',
      usage: 'npx tsx scripts/bench/lookup.ts',
      summary: "The caller-ID lookup benchmark alone, in Node: cached lookups per second, the phone library's\nbytes, the requests of a burst; prints its section.",
      flags: {},
    }),
  );
  runStandalone(runLookupBench);
}
