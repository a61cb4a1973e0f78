import { escapeHtml } from './html';

/** The i18n files' placeholder convention: `{{name}}`. */
export const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/** Fills `{{name}}` placeholders with plain values; an unknown placeholder stays as written. */
export function fillTemplate(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * Fills a template into HTML: the template's own text is escaped, and each value is inserted
 * as given, so values must already be safe HTML (escaped text or a link built by notify/links.ts).
 * A placeholder without a value is left out rather than shown as `{{name}}`.
 */
export function fillHtml(template: string, safeHtmlValues: Record<string, string>): string {
  return escapeHtml(template).replace(PLACEHOLDER, (_, key: string) => safeHtmlValues[key] ?? '');
}

/** Fills a template with untrusted plain values and returns escaped HTML. */
export function fillEscaped(template: string, values: Record<string, string>): string {
  const escaped: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) escaped[k] = escapeHtml(v);
  return fillHtml(template, escaped);
}

/** An i18n section (`this.i18n(name)`) over the English texts: a key missing, empty or not a string stays English. */
export function stringsFrom<T extends { [K in keyof T]: string }>(english: Readonly<T>, section: Record<string, unknown> | undefined): T {
  const out = { ...english } as T;
  for (const key of Object.keys(english) as (keyof T & string)[]) {
    const value = section?.[key];
    if (typeof value === 'string' && value.trim() !== '') out[key] = value as T[keyof T & string];
  }
  return out;
}
