/**
 * The notifier's documented constants, in one place.
 *
 * The pop-up must be on screen within 1.5 s of the ring reaching the page, and the delivery and
 * the timer's own lateness eat into that (the benchmark measured up to ~20 ms past the budget).
 * So the pop-up stops waiting for the lookup at 1.4 s and shows the number with "the CRM is slow";
 * the app sets the lookup's own timeout below it, so that a timed-out lookup says the same (a
 * slow CRM, not a failed lookup) from its own answer.
 */
export const NOTIFY_TIMING = {
  /** The pop-up never waits longer than this for the lookup (ms). */
  popupBudgetMs: 1400,
  /** The completed notification waits this long for a lookup still running (ms), then names the number. */
  filingBudgetMs: 10_000,
  /**
   * A ring whose `at` is older than this (ms) pops nothing (it is still tracked and filed): after
   * an outage the missed events replay rings that are long over or long unanswered. Two minutes
   * leaves room for a PBX and a browser clock that disagree by a minute.
   */
  popupMaxAgeMs: 2 * 60_000,
  /** How long finished call ids are remembered (ms): longer than any replay window (polling keeps ended calls 60 s). */
  rememberMs: 10 * 60_000,
} as const;

/** Bounds on memory: calls tracked at once (a feed that never ends its calls), finished ids remembered. */
export const NOTIFY_LIMITS = {
  maxActive: 200,
  maxRemembered: 1000,
} as const;
