/** Reads a widget folder or zip into a `WidgetFiles`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yauzl from 'yauzl';
import type { WidgetFiles } from './types';

/** Folders whose contents are read; any other folder is only listed (it is a fault anyway). */
const PACKAGE_DIRS = ['i18n', 'images'];

export function readFolder(root: string): WidgetFiles {
  const files = new Map<string, Buffer>();
  const dirs: string[] = [];
  // `atRoot`: `dir` is where the package's files would be, so its i18n/ and images/ are read.
  const walk = (dir: string, prefix: string, atRoot: boolean) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        dirs.push(rel);
        if (atRoot && PACKAGE_DIRS.includes(entry.name)) walk(full, rel, false);
      } else if (entry.isFile()) {
        files.set(rel, fs.readFileSync(full));
      }
    }
  };
  walk(root, '', true);
  // The package one folder down (widget/manifest.json): read that folder as a zip of it would be
  // read, so layout.ts's nestedPackage reports it once, the same way for a folder and a zip.
  if (!files.has('manifest.json')) {
    for (const dir of dirs.filter((name) => !name.includes('/') && !PACKAGE_DIRS.includes(name))) {
      if (fs.statSync(path.join(root, dir, 'manifest.json'), { throwIfNoEntry: false })?.isFile()) walk(path.join(root, dir), dir, true);
    }
  }
  return { kind: 'folder', origin: root, files, dirs };
}

export function readZip(source: string | Buffer, origin = typeof source === 'string' ? source : 'widget.zip'): Promise<WidgetFiles> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    const dirs: string[] = [];
    const opened = (err: Error | null, zip?: yauzl.ZipFile) => {
      if (err || !zip) return reject(err ?? new Error('cannot open zip'));
      zip.on('error', reject);
      zip.on('end', () => resolve({ kind: 'zip', origin, files, dirs }));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) {
          dirs.push(entry.fileName.replace(/\/+$/, ''));
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) return reject(streamErr ?? new Error(`cannot read ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    };
    // strictFileNames off: a zip made on Windows with `\` must be reported by the layout check, not crash here.
    const options = { lazyEntries: true, strictFileNames: false, validateEntrySizes: true };
    if (typeof source === 'string') yauzl.open(source, options, opened);
    else yauzl.fromBuffer(source, options, opened);
  });
}

/** A folder, or a file ending in .zip (or starting with the zip signature). */
export async function readWidget(target: string): Promise<WidgetFiles> {
  const stat = fs.statSync(target);
  if (stat.isDirectory()) return readFolder(target);
  return readZip(target);
}
