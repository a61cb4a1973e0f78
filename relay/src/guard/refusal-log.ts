/**
 * Log lines for refusals an attacker can cause at will (origins, caps, rates): the first of a
 * kind is logged at once, the next at most every `everyMs` with how many were not logged in
 * between, so a flood cannot fill the disk or drown the lines that matter. Wall-clock time: the
 * relay's `now` may be a test's frozen clock.
 */
export type Log = (message: string, context?: Record<string, unknown>) => void;

export function throttledLog(log: Log, everyMs = 10_000, clock: () => number = Date.now): Log {
  const last = new Map<string, { at: number; unlogged: number }>();
  return (message, context) => {
    const now = clock();
    const entry = last.get(message);
    if (entry !== undefined && now - entry.at < everyMs) {
      entry.unlogged += 1;
      return;
    }
    log(message, entry !== undefined && entry.unlogged > 0 ? { ...context, unlogged: entry.unlogged } : context);
    last.set(message, { at: now, unlogged: 0 });
  };
}
