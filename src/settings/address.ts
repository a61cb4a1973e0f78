/**
 * A settings URL as a real browser will use it. parseUrl (src/protocol/url.ts) refuses white
 * space; beyond that, Chromium's URL parser is laxer than the WHATWG one Node follows: it takes
 * `http://pbx%20example.com` as a host and percent-encodes `a*b.com` into one where Node throws,
 * so a check that passes in the unit tests would let through, in Kommo's page, a host no DNS can
 * resolve (test/e2e/settings-checks.chromium.test.ts). So the host must be an IP literal or dot-
 * separated labels of letters, digits, `-` and `_`; a non-ASCII name arrives as its `xn--` form,
 * which both parsers produce.
 */
import { parseUrl } from '../protocol/url';

const LABELS = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?$/i;
const IPV6 = /^\[[0-9a-f:.]+\]$/i;

/** The parsed URL, or null when it is not one, or names a host no browser could reach. */
export function parseSettingsUrl(value: string): URL | null {
  const url = parseUrl(value);
  if (!url) return null;
  return LABELS.test(url.hostname) || IPV6.test(url.hostname) ? url : null;
}
