/**
 * Call durations as m:ss (h:mm:ss past an hour), with the locale's digits. Intl is pure (no
 * clock, no page state), so it is fine in the core; formatters are cached per locale.
 */
type Parts = { plain: Intl.NumberFormat; padded: Intl.NumberFormat };

const cache = new Map<string, Parts>();

function formattersFor(locale: string): Parts {
  const hit = cache.get(locale);
  if (hit) return hit;
  let parts: Parts;
  try {
    const options = { useGrouping: false, maximumFractionDigits: 0 };
    parts = { plain: new Intl.NumberFormat(locale, options), padded: new Intl.NumberFormat(locale, { ...options, minimumIntegerDigits: 2 }) };
  } catch {
    // A malformed locale tag (RangeError): fall back to English digits rather than fail the notification.
    parts = formattersFor('en');
  }
  if (cache.size > 20) cache.clear();
  cache.set(locale, parts);
  return parts;
}

export function formatDuration(seconds: number, locale: string): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const { plain, padded } = formattersFor(locale);
  const h = Math.floor(total / 3600);
  // h:mm:ss, or m:ss under an hour.
  const units = [Math.floor((total % 3600) / 60), total % 60];
  if (h > 0) units.unshift(h);
  return units.map((n, i) => (i === 0 ? plain : padded).format(n)).join(':');
}
