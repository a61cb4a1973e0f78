/**
 * Test fixtures for the package validator: a good widget folder assembled from the repository's
 * own manifest.json, i18n/ and images/ (plus a small AMD script.js), copied to a temp dir so a
 * test can break one thing; and a tiny zip writer (stored entries) for layout faults.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** What the real bundle starts like (webpack's AMD output), small. */
export const GOOD_SCRIPT = 'define([ "jquery", "underscore" ], (__ext1, __ext2) => (() => {\n "use strict";\n return function Widget() { this.callbacks = {}; return this; };\n})());\n';

export function tempDir(prefix = 'widget-pkg-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A complete, valid widget folder in a fresh temp dir. */
export function goodFolder(): string {
  const dir = tempDir();
  fs.copyFileSync(path.join(ROOT, 'manifest.json'), path.join(dir, 'manifest.json'));
  for (const sub of ['i18n', 'images']) {
    fs.mkdirSync(path.join(dir, sub));
    for (const file of fs.readdirSync(path.join(ROOT, sub))) fs.copyFileSync(path.join(ROOT, sub, file), path.join(dir, sub, file));
  }
  fs.writeFileSync(path.join(dir, 'script.js'), GOOD_SCRIPT);
  return dir;
}

export function readJsonFile(file: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function writeJsonFile(file: string, value: unknown): void {
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

/** Every file under `dir`, `/`-separated relative paths. */
export function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(path.join(dir, entry.name), rel) : [rel];
  });
}

/** A zip with stored (uncompressed) entries: enough for yauzl, no dependency on archiver (ESM). */
export function writeZip(zipPath: string, entries: Array<{ name: string; data: Buffer }>): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0, 10); // time/date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(zipPath, Buffer.concat([...locals, ...centrals, end]));
}

/** The folder's files as zip entries, each name passed through `rename`. */
export function zipFolder(dir: string, zipPath: string, rename: (name: string) => string = (n) => n): void {
  writeZip(zipPath, listFiles(dir).sort().map((name) => ({ name: rename(name), data: fs.readFileSync(path.join(dir, name)) })));
}
