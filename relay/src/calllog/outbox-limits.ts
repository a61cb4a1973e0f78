/**
 * How much of its past the outbox keeps (both implementations): done jobs long enough that a
 * repeat of the same key (a PBX resending, a restart re-planning a call) is still skipped, and the
 * latest refused jobs for the admin, so a long outage of a bad config cannot fill the disk.
 */
export interface OutboxLimits {
  /** A done job's key is remembered this long (dedupe), then forgotten. */
  keepDoneMs: number;
  /** At most this many failed jobs are kept, the newest. */
  maxFailed: number;
}

export const OUTBOX_DEFAULTS: OutboxLimits = {
  keepDoneMs: 7 * 24 * 60 * 60 * 1000,
  maxFailed: 1000,
};

/** counts().failures: the latest this many. */
export const FAILURES_SHOWN = 20;
