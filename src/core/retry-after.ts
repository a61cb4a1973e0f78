/**
 * `Retry-After` (RFC 9110 section 10.2.3): delay-seconds or an HTTP date. The one parser for every
 * answer the widget reads it from (by_phone, the poll URL).
 */

/** The longest wait a server can ask for: a bogus or hostile header must not silence us for hours. */
export const RETRY_AFTER_MAX_MS = 5 * 60_000;

/** In ms from `now`, at most RETRY_AFTER_MAX_MS; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Math.min(RETRY_AFTER_MAX_MS, Number(value) * 1000);
  // Every HTTP-date form starts with the day name; Date.parse alone would take "-1" as a year.
  const at = /^[A-Za-z]{3}/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.min(RETRY_AFTER_MAX_MS, Math.max(0, at - now));
}
