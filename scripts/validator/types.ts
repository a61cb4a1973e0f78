/** One thing wrong with a widget package: which file, what, and how to fix it. */
export interface Fault {
  /** Path inside the package (`manifest.json`, `i18n/es.json`, `images/logo.png`), or the package itself. */
  file: string;
  problem: string;
  fix: string;
  /** Which rule, where a caller treats it apart (scripts/build.ts --dev: CODE_FROM_RUNTIME_ORIGIN is a warning). */
  rule?: typeof CODE_FROM_RUNTIME_ORIGIN | typeof SUPPORT_PLACEHOLDER;
}

/** script.js (or a part) can load code from an address read at run time (scripts/validator/code-origin.ts). */
export const CODE_FROM_RUNTIME_ORIGIN = 'code-from-runtime-origin';

/** manifest.json's support link or e-mail is a placeholder (scripts/validator/support-contact.ts). */
export const SUPPORT_PLACEHOLDER = 'support-placeholder';

/** What a check found: faults refuse the package; warnings are said and let it pass. */
export interface Findings {
  faults: Fault[];
  warnings: Fault[];
}

export interface ValidateOptions {
  /** A package for Kommo's marketplace: placeholders (support contact) are faults, not warnings. */
  marketplace?: boolean;
}

/** A widget package read into memory: a folder or a zip, the same for the checks. */
export interface WidgetFiles {
  kind: 'folder' | 'zip';
  /** The folder or zip path, for messages. */
  origin: string;
  /** Every file by its `/`-separated path relative to the package root. */
  files: Map<string, Buffer>;
  /** Directory entries (zip only lists them when they were stored), `/`-separated, no trailing slash. */
  dirs: string[];
}

export const fault = (file: string, problem: string, fix: string): Fault => ({ file, problem, fix });

export function formatFault(f: Fault): string {
  return `${f.file}: ${f.problem}. Fix: ${f.fix}`;
}
