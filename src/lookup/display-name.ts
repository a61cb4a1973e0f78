/**
 * A CRM name (or any other untrusted text) as the pop-up and the call notification show it; the
 * lookup applies it to every name it returns (parse-response.ts), so src/notify gets them clean.
 * - Bidirectional controls go: U+202A..U+202E (embeddings, overrides), U+2066..U+2069
 *   (isolates), U+200E, U+200F (marks), U+061C (Arabic letter mark). Inside Kommo's one-line
 *   texts a control in a name could reorder the rest of the line ("Incoming call from <RLO>...")
 *   or make the number read backwards. Stripped rather than isolated: the call notification's
 *   `from`/`to`, which Kommo stores and searches, get no invisible characters, and letters of
 *   right-to-left scripts keep their direction without any control.
 * - At most NAME_MAX_CHARS (120) characters, the last one then "…", counted in code points so a
 *   surrogate pair is never cut in half. 120 is about three lines of Kommo's pop-up and above
 *   any real person's or company's name; what is longer is junk or an attack on the layout.
 */
export const NAME_MAX_CHARS = 120;

const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

export function displayName(raw: string, maxChars = NAME_MAX_CHARS): string {
  const text = raw.replace(BIDI_CONTROLS, '').trim();
  if (text.length <= maxChars) return text;
  // Twice as many UTF-16 units always hold at least maxChars code points.
  const head = Array.from(text.slice(0, maxChars * 2));
  if (head.length <= maxChars && text.length <= maxChars * 2) return text;
  return `${head.slice(0, maxChars - 1).join('').trimEnd()}…`;
}
