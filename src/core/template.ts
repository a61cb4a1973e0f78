/** The i18n files' placeholder convention: `{{name}}`. */
export const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/** Fills `{{name}}` placeholders with plain values; an unknown placeholder stays as written. */
export function fillTemplate(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
