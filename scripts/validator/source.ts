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
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        dirs.push(rel);
        if (prefix === '' && PACKAGE_DIRS.includes(entry.name)) walk(full, rel);
      } else if (entry.isFile()) {
        files.set(rel, fs.readFileSync(full));
      }
    }
  };
  walk(root, '');
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
