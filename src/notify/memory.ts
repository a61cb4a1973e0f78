/**
 * The call ids a notifier remembers after their story is over here (`local`: filed or vanished)
 * or that a previous leader handed over (`handover`), so replays change nothing. Pure: each
 * function returns a new map, the oldest entries first (a Map keeps insertion order).
 */
export type Remembered = { until: number; source: 'local' | 'handover' };

export type Memory = ReadonlyMap<string, Remembered>;

/** (Re)remembers `id` from `now` on, as the newest entry. */
export function rememberId(memory: Memory, id: string, source: Remembered['source'], now: number, rememberMs: number): Memory {
  const next = new Map(memory);
  next.delete(id);
  next.set(id, { until: now + rememberMs, source });
  return next;
}

export function forgetId(memory: Memory, id: string): Memory {
  if (!memory.has(id)) return memory;
  const next = new Map(memory);
  next.delete(id);
  return next;
}

/** Drops the expired ids, then the oldest beyond `max`. */
export function pruneMemory(memory: Memory, now: number, max: number): Memory {
  const next = new Map<string, Remembered>();
  for (const [id, r] of memory) if (r.until > now) next.set(id, r);
  for (const id of next.keys()) {
    if (next.size <= max) break;
    next.delete(id);
  }
  return next.size === memory.size ? memory : next;
}
