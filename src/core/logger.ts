/** Logging, injected; the platform layer binds it to `console` with the widget's prefix. */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** `sink` is the page's console, handed in by the platform layer. */
export function consoleLogger(prefix: string, sink: Pick<Console, 'debug' | 'info' | 'warn' | 'error'>): Logger {
  const out = (level: keyof Logger) => (message: string, context?: Record<string, unknown>) => {
    if (context === undefined) sink[level](`${prefix} ${message}`);
    else sink[level](`${prefix} ${message}`, context);
  };
  return { debug: out('debug'), info: out('info'), warn: out('warn'), error: out('error') };
}

/**
 * Logs a warning the first time a key is seen and stays quiet after: bad feed frames or a
 * 403 from the API would otherwise flood the console once per call.
 */
/** Keys remembered before forgetting them all: memory stays flat however many kinds turn up. */
const ONCE_MAX_KEYS = 200;

export function createOnceLogger(logger: Logger): (key: string, message: string, context?: Record<string, unknown>) => void {
  const seen = new Set<string>();
  return (key, message, context) => {
    if (seen.has(key)) return;
    if (seen.size >= ONCE_MAX_KEYS) seen.clear();
    seen.add(key);
    logger.warn(message, context);
  };
}
