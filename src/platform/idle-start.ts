/**
 * The widget's start (settings parsed, tab session, election, click-to-call) runs in idle time
 * right after `init` returns, not inside it: Kommo runs every widget's init on the page load's
 * critical path, and ours costs it no more than queuing this (issue 18: ≤ 3 ms of main thread).
 * A busy page still starts it within TIMEOUT_MS. A callback that needs the started widget
 * (settings, onSave) runs it first with `flush`, so the order Kommo sees never changes.
 */
const TIMEOUT_MS = 200;

export interface PendingStart {
  /** Runs the start now if it has not run yet (idempotent). */
  flush(): void;
  /** The widget was destroyed first: the start never runs. */
  cancel(): void;
}

export function startWhenIdle(win: Window & typeof globalThis, start: () => void): PendingStart {
  let pending = true;
  let idle: number | null = null;
  let fallback: number | null = null;
  const settle = () => {
    if (!pending) return false;
    pending = false;
    if (idle !== null) win.cancelIdleCallback(idle);
    if (fallback !== null) win.clearTimeout(fallback);
    return true;
  };
  const run = () => {
    if (settle()) start();
  };
  if (typeof win.requestIdleCallback === 'function') idle = win.requestIdleCallback(run, { timeout: TIMEOUT_MS });
  else fallback = win.setTimeout(run, 0);
  return { flush: run, cancel: () => void settle() };
}
