/**
 * Code that is not in script.js but arrives later (a widget part: poll.js, lease.js; loaded by
 * src/platform/widget-part.ts). The core only sees this callback shape, so it stays free of
 * RequireJS and tests can hand the real code over at once: `(loaded) => loaded(create)`.
 */
export type PartLoader<F> = (loaded: (factory: F) => void, failed: (error: unknown) => void) => void;
