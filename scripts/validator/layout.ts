/**
 * What may be in the package: manifest.json, script.js, the modules script.js loads from the
 * widget's folder (settings.js, poll.js, lease.js), i18n/*.json and images/* at the root, nothing else (Kommo wants
 * the files at the zip root, not in a folder).
 */
import * as path from 'node:path';
import type { Fault, WidgetFiles } from './types';
import { fault } from './types';

const REQUIRED = ['manifest.json', 'script.js'];

/**
 * The root .js files script.js loads from the widget's folder: it names them as
 * `<params.path>/<name>.js` (src/platform/widget-part.ts: a table of quoted `/<name>.js`).
 */
export function modulesLoadedBy(pkg: WidgetFiles): string[] {
  const script = pkg.files.get('script.js')?.toString('utf8') ?? '';
  const names = [...script.matchAll(/\/([\w-]+\.js)[`'"]/g)].map((match) => match[1] as string);
  return [...new Set(names)].filter((name) => name !== 'script.js').sort();
}

/**
 * Everything one folder down (e.g. `widget/manifest.json`): the folder was zipped instead of its
 * contents. The fault, and the package as it would be with that folder's contents at the root.
 */
export function nestedPackage(pkg: WidgetFiles): { folder: string; fault: Fault; inner: WidgetFiles } | null {
  if (pkg.files.has('manifest.json')) return null;
  const nested = [...pkg.files.keys()].find((name) => /^[^/]+\/manifest\.json$/.test(name));
  if (!nested) return null;
  const folder = nested.split('/')[0] as string;
  const where = pkg.kind === 'zip' ? 'the zip' : 'the folder';
  const prefix = `${folder}/`;
  const inside = (name: string) => name.startsWith(prefix) && name.length > prefix.length;
  const inner: WidgetFiles = {
    ...pkg,
    files: new Map([...pkg.files].filter(([name]) => inside(name)).map(([name, bytes]) => [name.slice(prefix.length), bytes])),
    dirs: pkg.dirs.filter(inside).map((dir) => dir.slice(prefix.length)),
  };
  return {
    folder,
    inner,
    fault: fault(
      nested,
      `manifest.json is inside a "${folder}/" folder, not at the root of ${where} (the files in "${folder}/" were checked as if they were at the root)`,
      pkg.kind === 'zip'
        ? `zip the contents of "${folder}/" (manifest.json, script.js, i18n/, images/), not the folder itself`
        : `check the "${folder}/" folder itself (pass ${path.join(pkg.origin, folder)}), or move its contents (manifest.json, script.js, i18n/, images/) up to the root`,
    ),
  };
}

export function checkLayout(pkg: WidgetFiles): Fault[] {
  const faults: Fault[] = [];
  const names = [...pkg.files.keys()];
  const where = pkg.kind === 'zip' ? 'the zip' : 'the folder';
  const nested = nestedPackage(pkg);
  if (nested) return [nested.fault];
  for (const name of REQUIRED) {
    if (!pkg.files.has(name)) faults.push(fault(name, `is missing from the root of ${where}`, `add ${name} at the root`));
  }
  const loaded = modulesLoadedBy(pkg);
  for (const name of loaded) {
    if (!pkg.files.has(name)) faults.push(fault(name, `is loaded by script.js but missing from the root of ${where}`, `package ${name} from the build next to script.js`));
  }
  // Files of a folder the package does not have are reported once per top folder.
  const foreign = new Map<string, number>();
  for (const name of names) {
    if (name.includes('\\') || name.startsWith('/') || name.split('/').includes('..')) {
      faults.push(fault(name, 'has a path that is not a plain relative path', 'make the archive again with "/" separators and relative paths'));
      continue;
    }
    if (/\.map$/i.test(name)) {
      faults.push(fault(name, 'is a source map, which must not ship in the widget', `leave ${name} out of the package (keep it next to the build)`));
      continue;
    }
    const parts = name.split('/');
    const top = parts[0] as string;
    if (parts.length === 1) {
      if (!REQUIRED.includes(name) && !loaded.includes(name)) {
        faults.push(fault(name, 'is not part of a widget package', `remove ${name}; only manifest.json, script.js (and the modules it loads), i18n/ and images/ belong at the root`));
      }
    } else if (parts.length === 2 && top === 'i18n') {
      if (!/^[a-z]{2}(_[A-Za-z]{2})?\.json$/.test(parts[1] as string)) faults.push(fault(name, 'is not a locale file (i18n/<locale>.json)', `remove ${name} or rename it like i18n/en.json`));
    } else if (parts.length === 2 && top === 'images') {
      if (!/\.png$/i.test(parts[1] as string)) faults.push(fault(name, 'is not a PNG image', `remove ${name}; images/ holds the PNG logos`));
    } else if (top === 'i18n' || top === 'images') {
      faults.push(fault(name, `is in a subfolder of ${top}/`, `move it directly into ${top}/ or remove it`));
    } else {
      foreign.set(top, (foreign.get(top) ?? 0) + 1);
    }
  }
  for (const dir of pkg.dirs) {
    const top = dir.split('/')[0] as string;
    if (top !== 'i18n' && top !== 'images' && !foreign.has(top)) foreign.set(top, 0);
  }
  for (const [top, count] of foreign) {
    const holding = count > 0 ? ` (${count} file${count === 1 ? '' : 's'})` : '';
    faults.push(fault(`${top}/`, `is a folder a widget package does not have${holding}`, `remove "${top}/"; only i18n/ and images/ are folders of the package`));
  }
  if (!names.some((name) => name.startsWith('i18n/'))) faults.push(fault('i18n/', `is missing from ${where}`, 'add i18n/<locale>.json for every locale in manifest.json'));
  if (!names.some((name) => name.startsWith('images/'))) faults.push(fault('images/', `is missing from ${where}`, 'add the six logos in images/'));
  return faults;
}
