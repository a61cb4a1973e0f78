/**
 * The one way tests and benchmarks wait for something a server, a socket or a page will reach
 * (a frame arrived, a pop-up shown): check, yield to the event loop, check again. Nothing sleeps
 * a fixed time; a manual clock does not move meanwhile.
 */
export interface WaitOptions {
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** Pause between checks; 0 (default) yields one turn of the event loop. */
  everyMs?: number;
}

// jsdom test environments have no setImmediate: a zero timeout yields there.
const yieldTurn = (ms: number) =>
  new Promise<void>((resolve) => (ms === 0 && typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, ms)));

/** True as soon as `condition` holds, false once `timeoutMs` has passed without it. */
export async function eventually(condition: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await yieldTurn(options.everyMs ?? 0);
  }
}

/** Resolves when `condition` holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  if (!(await eventually(condition, options))) {
    throw new Error(`timed out after ${options.timeoutMs ?? 20_000} ms waiting for: ${what}`);
  }
}
