/**
 * Validates a Kommo widget package (a folder or a zip): layout, manifest.json, i18n/, images/,
 * script.js. Each fault names the file and the fix. Used by scripts/build.ts before zipping,
 * by scripts/validate.ts on the command line, and by test/package/.
 */
import type { Fault, WidgetFiles } from './types';
import { checkLayout } from './layout';
import { checkLocales, loadLocales } from './i18n';
import { checkManifest, loadManifest } from './manifest';
import { checkImages } from './images';
import { checkScript } from './script';
import { readWidget } from './source';

export type { Fault, WidgetFiles } from './types';
export { formatFault, CODE_FROM_RUNTIME_ORIGIN } from './types';
export { readFolder, readZip, readWidget } from './source';
export { LOGOS, MAX_IMAGE_BYTES } from './images';
export { ALLOWED_EXTERNALS } from './script';
export { modulesLoadedBy } from './layout';

export function validateFiles(pkg: WidgetFiles): Fault[] {
  const faults: Fault[] = [...checkLayout(pkg)];
  const locales = loadLocales(pkg, faults);
  faults.push(...checkLocales(locales));
  const manifest = loadManifest(pkg, faults);
  if (manifest) faults.push(...checkManifest(manifest, locales));
  faults.push(...checkImages(pkg));
  faults.push(...checkScript(pkg));
  // The same fault found twice (e.g. a missing key seen from two locales) is said once.
  const seen = new Set<string>();
  return faults.filter((f) => {
    const id = `${f.file}\u0000${f.problem}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** A folder or a zip on disk. */
export async function validateWidget(target: string): Promise<Fault[]> {
  return validateFiles(await readWidget(target));
}
