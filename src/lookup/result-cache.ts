/**
 * Results per normalised number, and one shared request per number while it is in flight.
 * Expiry is checked on read against the injected clock, so the cache owns no timer. The map is
 * bounded (oldest entry out first): a busy line sees many distinct numbers over a day.
 */
import type { Clock } from '../core/clock';

export interface ResultCache<V> {
  /** A fresh cached value, else the pending load for this key, else a new `load()`. */
  get(key: string, load: () => Promise<V>): Promise<V>;
  /** The fresh cached value, now; undefined when there is none (a load in flight is not one). */
  peek(key: string): V | undefined;
  /** A value loaded apart (a background refresh): kept as `get` keeps one, unless a load of the key is in flight. */
  set(key: string, value: V): void;
  readonly size: number;
  clear(): void;
}

export function createResultCache<V>(opts: {
  clock: Clock;
  /** How long a value stays fresh; 0 or less: not cached at all. */
  ttlFor(value: V): number;
  maxEntries?: number;
}): ResultCache<V> {
  const maxEntries = opts.maxEntries ?? 500;
  const fresh = new Map<string, { value: V; expires: number }>();
  const pending = new Map<string, Promise<V>>();
  let generation = 0;

  const store = (key: string, value: V): void => {
    const ttl = opts.ttlFor(value);
    if (!(ttl > 0)) return;
    fresh.delete(key);
    if (fresh.size >= maxEntries) {
      const oldest = fresh.keys().next();
      if (!oldest.done) fresh.delete(oldest.value);
    }
    fresh.set(key, { value, expires: opts.clock.now() + ttl });
  };

  const freshValue = (key: string): { value: V } | undefined => {
    const hit = fresh.get(key);
    if (hit === undefined) return undefined;
    if (opts.clock.now() < hit.expires) return hit;
    fresh.delete(key);
    return undefined;
  };

  return {
    peek(key) {
      return freshValue(key)?.value;
    },
    get(key, load) {
      const hit = freshValue(key);
      if (hit !== undefined) return Promise.resolve(hit.value);
      const inFlight = pending.get(key);
      if (inFlight !== undefined) return inFlight;

      const started = generation;
      const promise = load().then(
        (value) => {
          if (started === generation) {
            pending.delete(key);
            store(key, value);
          }
          return value;
        },
        (error: unknown) => {
          if (started === generation) pending.delete(key);
          throw error;
        },
      );
      pending.set(key, promise);
      return promise;
    },
    set(key, value) {
      if (!pending.has(key)) store(key, value);
    },
    get size() {
      return fresh.size;
    },
    clear() {
      generation += 1;
      fresh.clear();
      pending.clear();
    },
  };
}
