/**
 * leader.js fetched in idle time by a tab that does not lead (one that leads has it already):
 * RequireJS keeps the module, so a takeover when the leading tab closes, or this tab's first
 * click-to-call, does not wait for the download and compile of the widget's largest part.
 * Two seconds after the start, then when the page is idle (at most 10 s later): never on the
 * page load's own critical path.
 */
const DELAY_MS = 2_000;
const IDLE_TIMEOUT_MS = 10_000;

/** Starts the wait; the returned function cancels whatever is still pending. */
export function prefetchWhenIdle(win: Window & typeof globalThis, load: () => void): () => void {
  let idle: number | null = null;
  let fallback: number | null = null;
  const timer = win.setTimeout(() => {
    if (typeof win.requestIdleCallback === 'function') idle = win.requestIdleCallback(load, { timeout: IDLE_TIMEOUT_MS });
    else fallback = win.setTimeout(load, 0);
  }, DELAY_MS);
  return () => {
    win.clearTimeout(timer);
    if (idle !== null) win.cancelIdleCallback(idle);
    if (fallback !== null) win.clearTimeout(fallback);
  };
}
