/**
 * The Origin allow-list (`--kommo-origin`): the account's Kommo origins, the only pages whose
 * browsers may read the relay's answers (CORS) or open its WebSocket.
 */
import { AuthConfigError } from './config-error';

/** `https://acme.kommo.com` as a browser sends it in `Origin`; refuses paths, credentials and `null`. */
export function normalizeOrigin(text: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new AuthConfigError(setting, `"${text}" is not an origin (write it as https://<account>.kommo.com)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AuthConfigError(setting, `"${text}" must be http(s)://host[:port]`);
  if (url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new AuthConfigError(setting, `"${text}" must be an origin only (scheme, host, port): no path, query or credentials`);
  }
  return url.origin;
}

/** A comma-separated list (flag or variable), each entry normalized; at least one. */
export function parseOriginList(text: string, setting: string): string[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw new AuthConfigError(setting, 'needs at least one origin');
  return [...new Set(entries.map((entry) => normalizeOrigin(entry, setting)))];
}

/** Exact comparison with the browser's serialized origin; `null` (sandboxed frames, files) is never allowed. */
export function isAllowedOrigin(origin: string | undefined, allowed: readonly string[]): origin is string {
  return typeof origin === 'string' && origin !== 'null' && allowed.includes(origin);
}
