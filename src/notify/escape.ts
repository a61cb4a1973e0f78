/** Escaping lives in src/core/html.ts (shared with the settings panel); `clip` is notify's own. */
export { escapeHtml } from '../core/html';

/** Cuts over-long untrusted text (a PBX may send anything as a "number") before display. */
export function clip(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}
