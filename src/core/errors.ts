/**
 * The widget's few error classes. Each is classified where it happens (`transient` says
 * whether retrying soon can help) and carries its context and `cause`. The transports' backoff
 * (src/feed) reads `transient`: a transient failure is retried within seconds, any other only
 * rarely. The lookup never retries (its budget is the ringing phone).
 */
export type ErrorContext = Record<string, unknown>;

export abstract class WidgetError extends Error {
  abstract readonly transient: boolean;
  readonly context: ErrorContext;
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message);
    this.name = new.target.name;
    this.context = context;
    if (options && 'cause' in options) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** The server answered with a status we cannot use. 429 and 5xx are transient. */
export class HttpError extends WidgetError {
  readonly transient: boolean;
  constructor(
    readonly status: number,
    readonly method: string,
    readonly url: string,
    /** From `Retry-After`, in ms, when the server sent one. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(`${method} ${url} answered ${status}`, { status, method, url, retryAfterMs }, options);
    this.transient = status === 408 || status === 429 || status >= 500;
  }
}

/** No answer in time. */
export class TimeoutError extends WidgetError {
  readonly transient = true;
  constructor(readonly method: string, readonly url: string, readonly ms: number, options?: { cause?: unknown }) {
    super(`${method} ${url} timed out after ${ms} ms`, { method, url, ms }, options);
  }
}

/** The request never got an HTTP answer (offline, DNS, CORS, connection reset). */
export class NetworkError extends WidgetError {
  readonly transient = true;
  constructor(readonly method: string, readonly url: string, options?: { cause?: unknown }) {
    super(`${method} ${url} failed before an answer arrived`, { method, url }, options);
  }
}

/** An answer or frame that is not what the contract says (bad JSON, wrong shape). */
export class ProtocolError extends WidgetError {
  readonly transient = false;
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, context, options);
  }
}
