/**
 * The Origin rule of WebSocket upgrades (the list itself is auth's: `--kommo-origin`). A browser
 * always sends `Origin`, and a page of another site must not open the relay's socket in its
 * visitors' browsers. Clients that are not browsers (the PBX's tools, scripts, tests) send no
 * `Origin` and are let through: the header would prove nothing about them either way. `null`
 * (sandboxed frames, `file:` and `data:` pages) is never a Kommo page, list or no list.
 */
import { isAllowedOrigin } from '../auth/origins';

/** The sandbox's page origins (`npm start`, scripts/sandbox), for the command line's `--dev`. */
export const SANDBOX_ORIGINS: readonly string[] = ['http://127.0.0.1:8080', 'https://127.0.0.1:8080', 'http://localhost:8080', 'https://localhost:8080'];

/** `allowed` null: no list configured (the legacy token alone), any origin but `null`, as in version 1. */
export function upgradeOriginAllowed(origin: string | undefined, allowed: readonly string[] | null): boolean {
  if (origin === undefined) return true;
  return allowed === null ? origin !== 'null' : isAllowedOrigin(origin, allowed);
}

/** `--dev`: the sandbox's pages may use the relay too (upgrades and CORS alike: the list is auth's). */
export function withSandboxOrigins<T extends { origins: readonly string[] }>(auth: T): T {
  return { ...auth, origins: [...new Set([...auth.origins, ...SANDBOX_ORIGINS])] };
}
