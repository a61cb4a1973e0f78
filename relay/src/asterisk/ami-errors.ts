/**
 * The AMI adapter's one error class: what went wrong as a `code` the caller can branch on, with
 * context (the action, the ActionID) and the underlying `cause` when there is one.
 */
export type AmiErrorCode =
  /** The client is not logged in (connecting, disconnected, refused, stopped): nothing was sent. */
  | 'not_connected'
  /** No answer (or, for a list action, no next event) within the action timeout. */
  | 'timeout'
  /** The connection dropped, or stop() was called, before the answer came. */
  | 'closed'
  /** The PBX refused the Login (`Response: Error`, `Message: Authentication failed`). */
  | 'login_refused'
  /** The action cannot be written: a key or value holds CR/LF (header injection) or a key is not a header name. */
  | 'invalid_action';

export class AmiError extends Error {
  override readonly name = 'AmiError';

  constructor(
    readonly code: AmiErrorCode,
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isAmiError(error: unknown, code?: AmiErrorCode): error is AmiError {
  return error instanceof AmiError && (code === undefined || error.code === code);
}
