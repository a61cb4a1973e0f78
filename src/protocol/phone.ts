/**
 * The one rule for "an internal number" (an extension, not a customer's phone), shared so the
 * widget (lookup/normalize.ts: no lookup, the "Internal call" pop-up) and the relay (call log:
 * not logged on a card) can never disagree.
 */

/** Internal extensions are 1 to 4 digits (Kommo's own example treats `from.length < 4` as internal). */
export const MAX_EXTENSION_DIGITS = 4;

// Whitespace (incl. no-break and thin spaces), ASCII and Unicode dashes/minus, dots, brackets, slashes.
const SEPARATORS = /[\s\u00a0\u2000-\u200b\u202f\u2010-\u2015\u2212\-.()[\]/]/g;

/** The number as the PBX sent it without its separators and a leading `tel:` (a `+` stays). */
export function stripPhoneSeparators(raw: string): string {
  return raw.trim().replace(/^tel:/i, '').replace(SEPARATORS, '');
}

/** The extension a number names when it is internal (1 to 4 digits, no `+`), else null. */
export function internalExtension(raw: string): string | null {
  const s = stripPhoneSeparators(raw);
  return s.length <= MAX_EXTENSION_DIGITS && /^\d+$/.test(s) ? s : null;
}
