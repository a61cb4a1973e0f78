/**
 * Waits for a condition the page or a server will reach (a socket opened, a pop-up shown),
 * checking on every turn of the event loop: no fixed sleeps. Fails with `what` after `ms`.
 */
export async function waitFor(what: string, condition: () => boolean, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
