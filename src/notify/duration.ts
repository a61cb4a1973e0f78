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
    parts = {
      plain: new Intl.NumberFormat(locale, { useGrouping: false, maximumFractionDigits: 0 }),
      padded: new Intl.NumberFormat(locale, { useGrouping: false, minimumIntegerDigits: 2, maximumFractionDigits: 0 }),
    };
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
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${plain.format(h)}:${padded.format(m)}:${padded.format(s)}`;
  return `${plain.format(m)}:${padded.format(s)}`;
}
