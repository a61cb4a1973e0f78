/**
 * `localStorage` for the remembered callers (src/lookup/caller-keys.ts), or undefined where the
 * page may not touch it (SecurityError: storage disabled, a sandboxed frame). Only the access is
 * checked here; a read or write that throws later (a full storage) is the caller store's to
 * tolerate (src/lookup/caller-store.ts).
 */
import type { CallerStorage } from '../lookup/caller-keys';

export function browserCallerStorage(win: { readonly localStorage?: Storage }): CallerStorage | undefined {
  try {
    const storage = win.localStorage;
    return storage && typeof storage.getItem === 'function' ? storage : undefined;
  } catch {
    return undefined;
  }
}
