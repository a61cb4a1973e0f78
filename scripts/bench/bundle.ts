/**
 * Bundle size: dist/widget/script.js raw, gzip and brotli, and who the bytes belong to.
 *
 * Attribution walks the source map's `mappings`: every generated character on a line belongs
 * to the source of the mapping segment it falls in (until the next segment). So the figures are
 * the *minified* bytes each source produced, not the size of the sources. Bytes no segment maps
 * (webpack's module wrapper, the AMD define() around it) are reported as "webpack runtime".
 * Compressed sizes per group are measured by compressing that group's bytes on their own
 * (gzip -9 / brotli q11): a group compresses less well alone than inside the whole file, so the
 * per-group compressed figures add up to more than the whole file's.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { defineCommand, readCommandLine } from '../../relay/src/command-line';

export interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}

export interface BundleGroup {
  /** `own code (src/**)`, a package name, `webpack runtime`. */
  name: string;
  kind: 'own' | 'package' | 'runtime';
  /** Distinct source files in this group. */
  files: number;
  /** The group's bytes compressed on their own. */
  sizes: Sizes;
  /** What the group costs inside script.js: gzip of the whole file minus gzip of the file without its bytes. */
  inWholeGzip: number;
}

export interface BundleReport {
  file: string;
  whole: Sizes;
  groups: BundleGroup[];
  method: string;
}

export function measure(bytes: Buffer | string): Sizes {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return {
    raw: buf.length,
    gzip: zlib.gzipSync(buf, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(buf, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }).length,
  };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Decodes one segment's base64 VLQ fields. */
export function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64_INDEX.get(ch);
    if (digit === undefined) throw new Error(`bad base64 VLQ character ${JSON.stringify(ch)}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
    value = 0;
    shift = 0;
  }
  return out;
}

/**
 * For each generated line: the segments' [startColumn, sourceIndex | -1].
 * Columns are UTF-16 code units (source map v3), as JavaScript strings index them.
 */
export function decodeMappings(mappings: string): Array<Array<[number, number]>> {
  const lines: Array<Array<[number, number]>> = [];
  let source = 0;
  for (const line of mappings.split(';')) {
    const segs: Array<[number, number]> = [];
    let col = 0;
    if (line !== '') {
      for (const seg of line.split(',')) {
        const f = decodeVlq(seg);
        col += f[0] ?? 0;
        if (f.length >= 4) {
          source += f[1] ?? 0;
          segs.push([col, source]);
        } else segs.push([col, -1]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

/** `webpack://kommo/./node_modules/libphonenumber-js/es6/x.js` -> group. */
export function groupOf(source: string): { name: string; kind: BundleGroup['kind'] } {
  const s = source.replace(/^webpack:\/\/[^/]*\//, '').replace(/^\.\//, '');
  const nm = s.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = s.slice(nm + 'node_modules/'.length).split('/');
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '?');
    return { name, kind: 'package' };
  }
  if (/(^|\/)src\//.test(s)) return { name: 'own code (src/**)', kind: 'own' };
  return { name: 'webpack runtime', kind: 'runtime' };
}

interface SourceMapV3 {
  version: number;
  sources: string[];
  mappings: string;
}

export function attribute(code: string, map: SourceMapV3): Map<string, { kind: BundleGroup['kind']; text: string[]; files: Set<string> }> {
  const groups = new Map<string, { kind: BundleGroup['kind']; text: string[]; files: Set<string> }>();
  const add = (source: string | null, text: string): void => {
    if (text === '') return;
    const g = source === null ? { name: 'webpack runtime', kind: 'runtime' as const } : groupOf(source);
    let entry = groups.get(g.name);
    if (!entry) {
      entry = { kind: g.kind, text: [], files: new Set() };
      groups.set(g.name, entry);
    }
    entry.text.push(text);
    if (source !== null) entry.files.add(source);
  };
  const decoded = decodeMappings(map.mappings);
  const lines = code.split('\n');
  lines.forEach((line, i) => {
    const segs = decoded[i] ?? [];
    // The newline itself goes with whatever ends the line.
    const text = i < lines.length - 1 ? `${line}\n` : line;
    let prevCol = 0;
    let prevSource: string | null = null;
    for (const [col, src] of segs) {
      add(prevSource, text.slice(prevCol, col));
      prevCol = col;
      prevSource = src >= 0 ? (map.sources[src] ?? null) : null;
    }
    add(prevSource, text.slice(prevCol));
  });
  return groups;
}

/**
 * The build keeps the map next to its own copy of the bundle (dist/build/script.js.map, never
 * packed): use `<script>.map` when present, else that one if its script is byte-identical.
 */
export function findSourceMap(scriptPath: string): string {
  const beside = `${scriptPath}.map`;
  if (fs.existsSync(beside)) return beside;
  const buildCopy = path.resolve(path.dirname(scriptPath), '..', 'build', path.basename(scriptPath));
  if (fs.existsSync(`${buildCopy}.map`) && fs.existsSync(buildCopy) && fs.readFileSync(buildCopy).equals(fs.readFileSync(scriptPath))) {
    return `${buildCopy}.map`;
  }
  throw new Error(`no source map for ${scriptPath} (looked for ${beside} and ${buildCopy}.map next to an identical script): run npm run build`);
}

export function analyzeBundle(scriptPath: string, mapPath = findSourceMap(scriptPath)): BundleReport {
  const code = fs.readFileSync(scriptPath, 'utf8');
  const whole = measure(fs.readFileSync(scriptPath));
  const map = JSON.parse(fs.readFileSync(mapPath, 'utf8')) as SourceMapV3;
  const attributed = [...attribute(code, map)];
  const gzip = (text: string) => zlib.gzipSync(Buffer.from(text, 'utf8'), { level: 9 }).length;
  const groups: BundleGroup[] = attributed.map(([name, g]) => ({
    name,
    kind: g.kind,
    files: g.files.size,
    sizes: measure(g.text.join('')),
    inWholeGzip: whole.gzip - gzip(attributed.filter(([other]) => other !== name).map(([, o]) => o.text.join('')).join('')),
  }));
  const order = { own: 0, package: 1, runtime: 2 } as const;
  groups.sort((a, b) => order[a.kind] - order[b.kind] || b.sizes.raw - a.sizes.raw);
  return {
    file: path.relative(process.cwd(), scriptPath),
    whole,
    groups,
    method:
      'zlib in Node: gzip level 9, brotli quality 11. Groups: each generated character of script.js is attributed through ' +
      'script.js.map to the source its mapping segment names (src/** = own code, node_modules/<pkg> = that package, ' +
      'unmapped = webpack runtime and the AMD wrapper); "alone" = the group\'s bytes compressed on their own ' +
      '(these add up to more than the whole file); "in script.js" = gzip of script.js minus gzip of script.js without the group\'s bytes.',
  };
}

if (require.main === module) {
  const { positionals } = readCommandLine(
    defineCommand({
      name: 'bench-bundle',
      usage: 'npx tsx scripts/bench/bundle.ts [script.js]',
      summary: "The bundle benchmark alone: a built script.js's sizes (raw, gzip, brotli) per source, as JSON.",
      positionals: [{ name: 'script.js', description: 'the bundle, with its script.js.map beside it (default dist/widget/script.js)' }],
      flags: {},
    }),
  );
  const file = path.resolve(positionals[0] ?? path.join(__dirname, '../../dist/widget/script.js'));
  console.log(JSON.stringify(analyzeBundle(file), null, 2));
}
