/**
 * Validates a Kommo widget package (a folder or a zip): layout, manifest.json, i18n/, images/,
 * script.js. Each fault names the file and the fix. A placeholder support contact is a warning,
 * a fault for a marketplace package (`marketplace`). Used by scripts/build.ts before zipping,
 * by scripts/validate.ts on the command line, and by test/package/.
 */
import type { Fault, Findings, ValidateOptions, WidgetFiles } from './types';
import { SUPPORT_PLACEHOLDER } from './types';
import { checkLayout, nestedPackage } from './layout';
import { checkLocales, loadLocales } from './i18n';
import { checkManifest, loadManifest } from './manifest';
import { checkImages } from './images';
import { checkScript } from './script';
import { readWidget } from './source';
import { checkSupportContact } from './support-contact';

export type { Fault, Findings, ValidateOptions, WidgetFiles } from './types';
export { formatFault, CODE_FROM_RUNTIME_ORIGIN, SUPPORT_PLACEHOLDER } from './types';
export { readFolder, readZip, readWidget } from './source';
export { LOGOS, MAX_IMAGE_BYTES } from './images';
export { ALLOWED_EXTERNALS } from './script';
export { modulesLoadedBy } from './layout';
export { TEMPLATE_SUPPORT } from './support-contact';

/** The same finding twice (e.g. a missing key seen from two locales) is said once. */
function once(findings: Fault[]): Fault[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const id = `${f.file}\u0000${f.problem}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Faults (the package is refused) and warnings (said, not refused). */
export function checkFiles(pkg: WidgetFiles, options: ValidateOptions = {}): Findings {
  // A zipped folder: one fault for the layout, then what is wrong inside the folder, named there.
  const nested = nestedPackage(pkg);
  if (nested) {
    const inside = checkFiles(nested.inner, options);
    const there = (f: Fault): Fault => ({ ...f, file: `${nested.folder}/${f.file}` });
    return { faults: [nested.fault, ...inside.faults.map(there)], warnings: inside.warnings.map(there) };
  }
  const found: Fault[] = [...checkLayout(pkg)];
  const locales = loadLocales(pkg, found);
  found.push(...checkLocales(locales));
  const manifest = loadManifest(pkg, found);
  if (manifest) found.push(...checkManifest(manifest, locales), ...checkSupportContact(manifest, options.marketplace === true));
  found.push(...checkImages(pkg));
  found.push(...checkScript(pkg));
  const warns = (f: Fault) => f.rule === SUPPORT_PLACEHOLDER && options.marketplace !== true;
  return { faults: once(found.filter((f) => !warns(f))), warnings: once(found.filter(warns)) };
}

/** The faults alone (scripts/build.ts refuses a package on any). */
export function validateFiles(pkg: WidgetFiles, options: ValidateOptions = {}): Fault[] {
  return checkFiles(pkg, options).faults;
}

/** A folder or a zip on disk. */
export async function checkWidget(target: string, options: ValidateOptions = {}): Promise<Findings> {
  return checkFiles(await readWidget(target), options);
}

/** A folder or a zip on disk: its faults. */
export async function validateWidget(target: string, options: ValidateOptions = {}): Promise<Fault[]> {
  return (await checkWidget(target, options)).faults;
}
