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
 * The relay's HTTP routes beside the feed: the feed URL as http(s), its last path segment
 * replaced by the route, without query or fragment. Tickets ("Authentication (version 2)"):
 * `wss://relay.example.com/ws` -> `https://relay.example.com/ticket`; click-to-call
 * (docs/originate.md): `.../originate`; the call log's status (docs/call-log.md): `.../call-log`.
 */
export function relayRouteUrl(feedUrl: string, route: 'ticket' | 'originate' | 'call-log'): string | null {
  const url = parseUrl(probeUrl(feedUrl), { schemes: HTTP_SCHEMES });
  if (url === null) return null;
  url.pathname = url.pathname.replace(/[^/]*$/, route);
  url.search = '';
  url.hash = '';
  return url.toString();
}

export const ticketUrl = (feedUrl: string): string | null => relayRouteUrl(feedUrl, 'ticket');
