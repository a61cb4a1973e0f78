/** An in-memory localStorage for the remembered callers' tests, refusing like a browser when told to. */
import type { CallerStorage } from '../../../src/lookup/caller-keys';

export const domError = (name: string): Error => Object.assign(new Error(name), { name });

/** localStorage as a Map; `refuse` makes the named operations throw as a browser does. */
export function memoryStorage(refuse: { get?: Error; set?: Error; remove?: Error } = {}): CallerStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem(key) {
      if (refuse.get) throw refuse.get;
      return items.get(key) ?? null;
    },
    setItem(key, value) {
      if (refuse.set) throw refuse.set;
      items.set(key, value);
    },
    removeItem(key) {
      if (refuse.remove) throw refuse.remove;
      items.delete(key);
    },
    key: (index) => [...items.keys()][index] ?? null,
    get length() {
      return items.size;
    },
  };
}

