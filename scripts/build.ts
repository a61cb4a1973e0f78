/**
 * `npm run build`: webpack (webpack.config.js) -> dist/build/script.js and its parts settings.js,
 * poll.js, lease.js (+ their source maps, kept there), then dist/widget/ = manifest.json,
 * script.js, the parts it loads, i18n/,
 * images/ (what Kommo gets), the
 * validator over it, and dist/widget.zip with those files at the zip root
 * (https://developers.kommo.com/docs/structure-widget). Any fault: the messages, exit code 1.
 * `--dev`: the same with the dev-loader switch around script.js (scripts/sandbox/dev-loader.ts),
 * into dist/build-dev/, dist/widget-dev/ and dist/widget-dev.zip, so dist/widget.zip is always
 * the production build; the validator's finding about the switch is then printed as a warning.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import webpack from 'webpack';
import { defineCommand, readCommandLine } from '../relay/src/command-line';
import { withDevLoader } from './sandbox/dev-loader';
import { CODE_FROM_RUNTIME_ORIGIN, formatFault, modulesLoadedBy, validateWidget } from './validator';
import type { Fault } from './validator';

export interface BuildResult {
  widgetDir: string;
  zipPath: string;
  files: Array<{ name: string; bytes: number }>;
  scriptGzipBytes: number;
  zipBytes: number;
}

export class BuildError extends Error {
  constructor(message: string, readonly faults: Fault[] = []) {
    super(message);
    this.name = 'BuildError';
  }
}

/** Packaged files, in the order they go into the zip: `loaded` are the modules script.js loads (settings.js, poll.js, lease.js), from beside it. */
function packageFiles(root: string, scriptPath: string, loaded: string[]): Array<{ name: string; from: string }> {
  const list = (dir: string, pattern: RegExp) =>
    fs.existsSync(path.join(root, dir))
      ? fs.readdirSync(path.join(root, dir)).filter((f) => pattern.test(f)).sort().map((f) => ({ name: `${dir}/${f}`, from: path.join(root, dir, f) }))
      : [];
  return [
    { name: 'manifest.json', from: path.join(root, 'manifest.json') },
    { name: 'script.js', from: scriptPath },
    ...loaded.map((name) => ({ name, from: path.join(path.dirname(scriptPath), name) })),
    ...list('i18n', /\.json$/),
    ...list('images', /\.png$/),
  ];
}

async function runWebpack(root: string, bundleDir: string, dev: boolean): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const configOf = require(path.join(root, 'webpack.config.js')) as (env: Record<string, unknown>) => webpack.Configuration;
  const config = configOf({});
  // The bundle goes to dist/build; 'hidden-source-map' keeps the map there without a
  // sourceMappingURL in script.js pointing at a file the zip does not carry.
  config.output = { ...config.output, path: bundleDir };
  config.devtool = 'hidden-source-map';
  // A development build only: the dev-loader switch (docs/sandbox.md) wraps the bundle; as
  // banner/footer, webpack keeps the source map's positions right and the minifier sees the whole file.
  if (dev) {
    const [prefix, suffix] = withDevLoader('\u0000').split('\u0000') as [string, string];
    config.plugins = [
      ...(config.plugins ?? []),
      new webpack.BannerPlugin({ banner: prefix.replace(/\n$/, ''), raw: true, entryOnly: true, include: 'script.js' }),
      new webpack.BannerPlugin({ banner: suffix.replace(/^\n/, ''), raw: true, footer: true, entryOnly: true, include: 'script.js' }),
    ];
  }
  const stats = await new Promise<webpack.Stats>((resolve, reject) => {
    webpack(config, (err, result) => (err || !result ? reject(err ?? new Error('webpack gave no result')) : resolve(result)));
  });
  if (stats.hasErrors()) {
    const errors = stats.toJson({ all: false, errors: true }).errors ?? [];
    throw new BuildError(`webpack failed:\n${errors.map((e) => `  ${e.moduleName ?? ''} ${e.message}`).join('\n')}`);
  }
}

async function writeZip(zipPath: string, files: Array<{ name: string; from: string }>): Promise<void> {
  // archiver 8 is an ES module.
  const { ZipArchive } = await import('archiver');
  const archive = new ZipArchive({ zlib: { level: 9 } });
  const out = fs.createWriteStream(zipPath);
  const done = new Promise<void>((resolve, reject) => {
    out.on('close', () => resolve());
    out.on('error', reject);
    archive.on('error', reject);
    archive.on('warning', reject);
  });
  archive.pipe(out);
  // A fixed date keeps the zip the same for the same inputs.
  const date = new Date('2020-01-01T00:00:00Z');
  for (const file of files) archive.append(fs.readFileSync(file.from), { name: file.name, date });
  await archive.finalize();
  await done;
}

export interface BuildOptions {
  /** The repository (manifest.json, i18n/, images/, webpack.config.js); default: this one. */
  root?: string;
  /** Where build/, widget/ and widget.zip go; default: <root>/dist. */
  outDir?: string;
  /** A development build: the dev-loader switch, and build-dev/, widget-dev/, widget-dev.zip instead. */
  dev?: boolean;
  log?: (line: string) => void;
}

/** Where a build goes: a development build never takes the production names. */
function outputNames(dev: boolean | undefined): { bundle: string; widget: string; zip: string } {
  return dev ? { bundle: 'build-dev', widget: 'widget-dev', zip: 'widget-dev.zip' } : { bundle: 'build', widget: 'widget', zip: 'widget.zip' };
}

export async function buildWidget(options: BuildOptions = {}): Promise<BuildResult> {
  const root = path.resolve(options.root ?? path.join(__dirname, '..'));
  const dist = path.resolve(options.outDir ?? path.join(root, 'dist'));
  const bundleDir = path.join(dist, outputNames(options.dev).bundle);
  await runWebpack(root, bundleDir, options.dev === true);
  return packageWidget({ ...options, root, outDir: dist, scriptPath: path.join(bundleDir, 'script.js') });
}

/**
 * The packaging half, without webpack: copies manifest.json, `scriptPath` (and the modules it
 * loads, from beside it), i18n/ and images/
 * into <outDir>/widget, validates it, zips it to <outDir>/widget.zip and validates the zip.
 * Throws a BuildError with the validator's faults (and writes no zip) on any fault.
 */
export async function packageWidget(options: BuildOptions & { scriptPath: string }): Promise<BuildResult> {
  const root = path.resolve(options.root ?? path.join(__dirname, '..'));
  const log = options.log ?? (() => {});
  const dist = path.resolve(options.outDir ?? path.join(root, 'dist'));
  const names = outputNames(options.dev);
  const widgetDir = path.join(dist, names.widget);
  const zipPath = path.join(dist, names.zip);
  // A development build carries the dev loader on purpose: that one finding is a warning there.
  const refusing = (faults: Fault[], warn: boolean): Fault[] => {
    if (!options.dev) return faults;
    for (const f of faults) if (warn && f.rule === CODE_FROM_RUNTIME_ORIGIN) log(`warning (development build, not for a production account): ${formatFault(f)}`);
    return faults.filter((f) => f.rule !== CODE_FROM_RUNTIME_ORIGIN);
  };

  fs.rmSync(widgetDir, { recursive: true, force: true });
  fs.rmSync(zipPath, { force: true });
  const scriptPath = path.resolve(options.scriptPath);
  const loaded = fs.existsSync(scriptPath) ? modulesLoadedBy({ kind: 'folder', origin: scriptPath, files: new Map([['script.js', fs.readFileSync(scriptPath)]]), dirs: [] }) : [];
  const files = packageFiles(root, scriptPath, loaded);
  const absent = files.filter((file) => !fs.existsSync(file.from));
  if (absent.length > 0) throw new BuildError(`cannot package: ${absent.map((file) => file.from).join(', ')} not found`);
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(widgetDir, file.name)), { recursive: true });
    fs.copyFileSync(file.from, path.join(widgetDir, file.name));
  }
  const folderFaults = refusing(await validateWidget(widgetDir), true);
  if (folderFaults.length > 0) throw new BuildError(`${widgetDir} has ${folderFaults.length} fault(s); no zip written`, folderFaults);

  await writeZip(zipPath, files);
  const zipFaults = refusing(await validateWidget(zipPath), false);
  if (zipFaults.length > 0) {
    fs.rmSync(zipPath, { force: true });
    throw new BuildError(`${zipPath} has ${zipFaults.length} fault(s); zip removed`, zipFaults);
  }

  const sized = files.map((file) => ({ name: file.name, bytes: fs.statSync(file.from).size }));
  const script = fs.readFileSync(path.join(widgetDir, 'script.js'));
  const result: BuildResult = {
    widgetDir,
    zipPath,
    files: sized,
    scriptGzipBytes: zlib.gzipSync(script, { level: 9 }).length,
    zipBytes: fs.statSync(zipPath).size,
  };
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  for (const file of sized) log(`  ${file.name.padEnd(24)} ${kb(file.bytes).padStart(9)}`);
  log(`  script.js gzip            ${kb(result.scriptGzipBytes).padStart(9)}`);
  log(`${path.relative(process.cwd(), zipPath) || zipPath} ${kb(result.zipBytes)} (${files.length} files)`);
  return result;
}

const BUILD_COMMAND = defineCommand({
  name: 'build',
  usage: 'npm run build -- [flags]',
  summary: [
    'Builds the widget: webpack bundles script.js and its parts (settings.js, poll.js, lease.js); dist/widget/',
    'gets manifest.json, those, i18n/ and images/, the validator checks it, and dist/widget.zip is written',
    '(what Kommo gets). Any fault is printed with its fix; the exit code is then 1.',
  ].join('\n'),
  flags: {
    out: { type: 'string', value: 'dir', shownDefault: '<root>/dist', description: 'write build/, widget/ and widget.zip there' },
    script: { type: 'string', value: 'file', description: 'package this bundle (and the modules it loads, from beside it) instead of running webpack' },
    root: { type: 'string', value: 'dir', shownDefault: 'this repository', description: 'take manifest.json, i18n/, images/ and webpack.config.js from there' },
    dev: {
      type: 'boolean',
      description: 'a development build for a test account: script.js carries the dev loader (loads the widget from http(s)://localhost or 127.0.0.1 when localStorage names it; docs/sandbox.md), written to build-dev/, widget-dev/ and widget-dev.zip, never widget.zip',
    },
  },
});

if (require.main === module) {
  const { values } = readCommandLine(BUILD_COMMAND);
  const options: BuildOptions = { root: values.root, outDir: values.out, dev: values.dev, log: (line) => console.log(line) };
  const script = values.script;
  (script ? packageWidget({ ...options, scriptPath: script }) : buildWidget(options)).then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof BuildError) {
        console.error(`build failed: ${error.message}`);
        for (const f of error.faults) console.error(`  ${formatFault(f)}`);
      } else {
        console.error('build failed:', error instanceof Error ? error.message : error);
      }
      process.exit(1);
    },
  );
}
