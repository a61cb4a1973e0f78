/**
 * What the relay's `POST /originate` answered (docs/originate.md), read into one outcome the
 * dialer can word. Every answer the relay documents has its own case; anything else (a proxy's
 * page, a newer relay's code) is `failed` with its status, never a crash.
 */
import { isRecord } from '../protocol/record';

/** The answer as the page saw it; status 0: no HTTP answer the page could read (down, CORS). */
export interface RelayAnswer {
  status: number;
  body: unknown;
}

export type DialOutcome =
  | { kind: 'accepted'; extension: string | null }
  /** Relay-side checks. */
  | { kind: 'not_a_number' }
  | { kind: 'no_extension' }
  | { kind: 'forbidden_extension' }
  | { kind: 'signin_refused' }
  | { kind: 'disabled' }
  | { kind: 'rate_limited'; retryAfterS: number }
  /** The PBX's refusals; `reason` is the PBX's own text (untrusted, plain). */
  | { kind: 'busy' }
  | { kind: 'unknown_extension' }
  | { kind: 'not_allowed' }
  | { kind: 'pbx_refused'; reason: string }
  /** The relay answered that the PBX did not (unreachable, timeout, overloaded). */
  | { kind: 'pbx_unreachable' }
  /** No readable answer from the relay at all. */
  | { kind: 'relay_unreachable' }
  | { kind: 'failed'; status: number };

const REASON_MAX = 200;

function text(value: unknown, max: number): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : null;
}

function pbxRefusal(body: Record<string, unknown>): DialOutcome {
  switch (body.code) {
    case 'busy':
      return { kind: 'busy' };
    case 'bad_number':
      return { kind: 'not_a_number' };
    case 'unknown_extension':
      return { kind: 'unknown_extension' };
    case 'not_allowed':
      return { kind: 'not_allowed' };
    default:
      return { kind: 'pbx_refused', reason: text(body.reason, REASON_MAX) ?? '' };
  }
}

function retryAfter(body: Record<string, unknown>): number {
  const value = body.retry_after;
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.min(Math.ceil(value), 3600) : 1;
}

export function readOriginateAnswer(answer: RelayAnswer): DialOutcome {
  const body = isRecord(answer.body) ? answer.body : {};
  const { status } = answer;
  if (status >= 200 && status < 300) return { kind: 'accepted', extension: text(body.extension, 64) };
  if (status === 0) return { kind: 'relay_unreachable' };
  switch (body.error) {
    case 'bad_number':
      return { kind: 'not_a_number' };
    case 'no_extension':
      return { kind: 'no_extension' };
    case 'forbidden_extension':
      return { kind: 'forbidden_extension' };
    case 'unauthorized':
    case 'ticket_expired':
      return { kind: 'signin_refused' };
    case 'originate_disabled':
      return { kind: 'disabled' };
    case 'rate_limited':
      return { kind: 'rate_limited', retryAfterS: retryAfter(body) };
    case 'pbx_refused':
      return pbxRefusal(body);
    case 'pbx_unreachable':
    case 'pbx_timeout':
    case 'overloaded':
      return { kind: 'pbx_unreachable' };
  }
  // A relay without the route (version 1, or older than click-to-call) answers a bare 404/405.
  if (status === 404 || status === 405) return { kind: 'disabled' };
  if (status === 401) return { kind: 'signin_refused' };
  return { kind: 'failed', status };
}
