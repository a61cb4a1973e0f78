/**
 * The relay's error classes, each with what a caller needs to answer or log it: a request the
 * relay refuses (a 4xx/5xx JSON answer), and a store that cannot be opened or written.
 */

/** A request refused with a JSON answer `{"error": code, "reason": ..., ...detail}`. */
export class RequestRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly reason: string,
    readonly detail: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(reason);
    this.name = 'RequestRefused';
  }
}

/** The store could not be opened (a bad data directory, a file of another schema, a corrupt file). */
export class StoreOpenFailed extends Error {
  constructor(
    readonly location: string,
    readonly why: string,
    options?: { cause?: unknown },
  ) {
    super(`relay store ${location}: ${why}`, options);
    this.name = 'StoreOpenFailed';
  }
}

/** A write did not commit (disk full, I/O error). Nothing of the operation is kept; the PBX retries. */
export class StoreWriteFailed extends Error {
  constructor(
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`relay store: ${operation} did not commit`, options);
    this.name = 'StoreWriteFailed';
  }
}
