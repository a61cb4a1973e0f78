/**
 * What `POST /originate` checks before any PBX is asked, as pure functions (docs/originate.md):
 * the number (E.164 or an internal extension), the `extension` field's syntax, which of the
 * user's extensions rings, and the per-user rate limit. No I/O and no timers: the limit reads
 * the relay's clock (`now`), so tests move time by hand.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { RequestRefused } from '../errors';

/** Internal extensions are 1 to 4 digits, as the widget's normalizer says (src/lookup/normalize.ts). */
const INTERNAL = /^\d{1,4}$/;
/** `+` then at most 15 digits (E.164); the library then says whether the length fits the country. */
const E164 = /^\+\d{2,15}$/;
const NUMBER_FORMAT = 'number must be E.164 ("+74951234567": "+" then digits, no spaces) or an internal extension of 1..4 digits ("102")';

/** The PBX's own text is passed on as data, never longer than this. */
export const MAX_REASON_CHARS = 200;

export function truncateReason(text: string): string {
  return text.length > MAX_REASON_CHARS ? text.slice(0, MAX_REASON_CHARS) : text;
}

/** The number to dial, as given (already E.164 or 1..4 digits); 400 `bad_number` otherwise. */
export function checkNumber(value: unknown): string {
  if (value === undefined || value === null) throw new RequestRefused(400, 'bad_number', `number is missing: ${NUMBER_FORMAT}`);
  if (typeof value !== 'string') throw new RequestRefused(400, 'bad_number', `number must be a string: ${NUMBER_FORMAT}`);
  if (INTERNAL.test(value)) return value;
  if (!E164.test(value)) throw new RequestRefused(400, 'bad_number', NUMBER_FORMAT);
  const parsed = parsePhoneNumberFromString(value);
  if (parsed === undefined || !parsed.isPossible()) throw new RequestRefused(400, 'bad_number', `${JSON.stringify(value)} is not a possible phone number: ${NUMBER_FORMAT}`);
  return parsed.number;
}

/** The optional `extension` field, with the syntax a users file entry has (1..64, no spaces or commas); null when absent. */
export function checkExtension(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new RequestRefused(400, 'bad_request', 'extension must be a string ("101", not 101)');
  const extension = value.trim();
  if (extension === '' || extension.length > 64) throw new RequestRefused(400, 'bad_request', 'extension must be 1..64 characters');
  if (/[\s,]/.test(extension)) throw new RequestRefused(400, 'bad_request', 'extension must have no spaces or commas');
  return extension;
}

/**
 * Which extension rings first. `own` is the user's list from the users file, or null for the
 * legacy shared token (any extension, but it must be named: there is no user to pick one for).
 */
export function chooseExtension(asked: string | null, own: readonly string[] | null): string {
  if (own === null) {
    if (asked === null) throw new RequestRefused(400, 'bad_request', 'extension is required with the shared token (no user to pick one for)');
    return asked;
  }
  const first = own[0];
  if (first === undefined) throw new RequestRefused(403, 'no_extension', 'this user has no extension in the relay\'s users file');
  if (asked === null) return first;
  if (!own.includes(asked)) {
    throw new RequestRefused(403, 'forbidden_extension', 'this extension is not the user\'s (the relay\'s users file)', { extensions: [asked] });
  }
  return asked;
}

/** The request body's two fields, checked; 400 `bad_json` for anything but a JSON object. */
export function readOriginateBody(text: string): { number: string; extension: string | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new RequestRefused(400, 'bad_json', 'the body is not JSON: send {"number": "+74951234567", "extension": "101"}');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RequestRefused(400, 'bad_json', 'the body must be a JSON object {"number": "+74951234567", "extension": "101"}');
  }
  const body = raw as Record<string, unknown>;
  return { number: checkNumber(body.number), extension: checkExtension(body.extension) };
}

/** Whose limit a request counts against: the user, or with the shared token the extension. */
export function limitKey(userId: string | null, extension: string): string {
  return userId === null ? `extension:${extension}` : `user:${userId}`;
}

export type LimitCheck = { ok: true } | { ok: false; retryAfterS: number };

export interface OriginateLimit {
  /** Whether `key` may originate now; nothing is counted. */
  check(key: string): LimitCheck;
  /** Counts an originate of `key` now (the PBX is being asked). */
  record(key: string): void;
  /** Keys remembered (for the bound's test). */
  size(): number;
}

/**
 * One originate per key per `intervalMs`. The table holds only keys seen within the interval:
 * kept in the order of their last originate, the expired ones are dropped from the front at
 * every check and record, so its size is bounded by the originates of one interval.
 */
export function createOriginateLimit(o: { intervalMs: number; now: () => number }): OriginateLimit {
  if (!Number.isSafeInteger(o.intervalMs) || o.intervalMs < 0) throw new RangeError(`originate intervalMs must be an integer >= 0, got ${String(o.intervalMs)}`);
  const last = new Map<string, number>();
  function prune(now: number): void {
    for (const [key, at] of last) {
      if (now - at < o.intervalMs) return;
      last.delete(key);
    }
  }
  return {
    check(key) {
      const now = o.now();
      prune(now);
      const at = last.get(key);
      if (at === undefined) return { ok: true };
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((at + o.intervalMs - now) / 1000)) };
    },
    record(key) {
      const now = o.now();
      prune(now);
      if (o.intervalMs === 0) return;
      // Re-inserted at the end, so the map stays ordered by last originate.
      last.delete(key);
      last.set(key, now);
    },
    size: () => last.size,
  };
}
