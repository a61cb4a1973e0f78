/**
 * The one URL check: parse an absolute URL and accept it only with one of the given schemes. The
 * widget's settings, the recording links it shows and the relay's event validation all use it.
 * White space anywhere is refused: Node's URL parser throws on it where a browser's
 * percent-encodes it, and either way it is a typing mistake.
 */
export interface UrlCheck {
  /** e.g. ['http:', 'https:']; any scheme when left out (the caller names a wrong one itself). */
  schemes?: readonly string[];
  /** Refuse `user:pass@` (default false). */
  noCredentials?: boolean;
}

export function parseUrl(value: string, check: UrlCheck = {}): URL | null {
  if (value === '' || /\s/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (check.schemes !== undefined && !check.schemes.includes(url.protocol)) return null;
  if (check.noCredentials === true && (url.username !== '' || url.password !== '')) return null;
  return url;
}

export const HTTP_SCHEMES = ['http:', 'https:'] as const;

/** The ws(s) URL as http(s), same host, path and query: where a plain HTTP request reaches the relay's server. */
export function probeUrl(wsUrl: string): string {
  return wsUrl.replace(/^ws(s?):/i, 'http$1:');
}

/**
 * Where a widget gets its ticket ("Authentication (version 2)"): the feed URL as http(s), its
 * last path segment replaced by `ticket`, without query or fragment.
 * `wss://relay.example.com/ws` -> `https://relay.example.com/ticket`.
 */
export function ticketUrl(feedUrl: string): string | null {
  const url = parseUrl(probeUrl(feedUrl), { schemes: HTTP_SCHEMES });
  if (url === null) return null;
  url.pathname = url.pathname.replace(/[^/]*$/, 'ticket');
  url.search = '';
  url.hash = '';
  return url.toString();
}
