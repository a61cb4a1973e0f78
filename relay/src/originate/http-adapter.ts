/**
 * The generic PBX adapter: one HTTP POST per originate to the PBX's own endpoint
 * (`--originate-url`), the contract a PBX vendor implements (docs/originate.md, "The generic
 * HTTP adapter"). Node's global fetch with an AbortController per request: a PBX that does not
 * answer within `timeoutMs` is cut. It never rejects: a refused connection, a reset, garbage or
 * a 5xx is `unreachable`, and the PBX's text is passed on truncated, as data.
 */
import { RELAY_DEFAULTS } from '../options';
import { truncateReason } from './originate-rules';
import type { OriginateOutcome, OriginateRefusal, OriginateRequest, PbxAdapter } from './pbx-adapter';
import { readCappedText } from '../fetch-answer';

/** More than any answer the contract has; a PBX that sends more is not read further. */
const MAX_ANSWER_BYTES = 16 * 1024;
const REFUSALS: ReadonlySet<string> = new Set<OriginateRefusal>(['busy', 'bad_number', 'unknown_extension', 'not_allowed']);

export interface HttpAdapterOptions {
  /** The PBX's originate endpoint, http(s), without credentials in it (the token is for that). */
  url: string;
  /** Sent as `Authorization: Bearer <token>` when given. */
  token?: string;
  /** Default RELAY_DEFAULTS.originateTimeoutMs (5 s). */
  timeoutMs?: number;
}

/** The URL as the adapter will use it; an Error naming what is wrong (the command line says which flag). */
export function checkOriginateUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`must be an http(s) URL (https://pbx.example.com/originate), got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`must be an http(s) URL (https://pbx.example.com/originate), got ${JSON.stringify(url)}`);
  if (parsed.username !== '' || parsed.password !== '') throw new Error('must not carry credentials (user:password@): give the PBX\'s secret as the originate token');
  return parsed;
}

function jsonObject(text: string | null): Record<string, unknown> {
  if (text === null || text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What an HTTP answer means (the contract's table). */
function outcomeOf(status: number, body: Record<string, unknown>): OriginateOutcome {
  const said = typeof body.reason === 'string' && body.reason !== '' ? body.reason : null;
  if (status >= 200 && status < 300) {
    const callId = body.call_id;
    return typeof callId === 'string' && callId.length >= 1 && callId.length <= 128 ? { ok: true, callId } : { ok: true };
  }
  if (status >= 400 && status < 500) {
    const code = typeof body.error === 'string' && REFUSALS.has(body.error) ? (body.error as OriginateRefusal) : 'other';
    return { ok: false, code, reason: truncateReason(said ?? `the PBX answered ${status}`) };
  }
  const kind = status >= 500 ? '' : ' (neither 2xx nor 4xx; a redirect is not followed)';
  return { ok: false, code: 'unreachable', reason: truncateReason(`the PBX answered ${status}${kind}${said === null ? '' : `: ${said}`}`) };
}

/** Node's fetch hides the socket's error in `cause`: ECONNREFUSED, ECONNRESET, a parse error... */
function whyUnreachable(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : String(error);
  return truncateReason(`the PBX could not be reached (${detail})`);
}

export function createHttpAdapter(o: HttpAdapterOptions): PbxAdapter {
  const url = checkOriginateUrl(o.url).href;
  const timeoutMs = o.timeoutMs ?? RELAY_DEFAULTS.originateTimeoutMs;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw new RangeError(`createHttpAdapter: timeoutMs must be a positive integer, got ${String(timeoutMs)}`);
  if (o.token !== undefined && o.token.trim() === '') throw new Error('createHttpAdapter: token must not be empty (leave it out for a PBX that needs none)');
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json', ...(o.token === undefined ? {} : { Authorization: `Bearer ${o.token}` }) };
  const inFlight = new Set<AbortController>();
  let closed = false;

  async function ask(request: OriginateRequest, controller: AbortController): Promise<OriginateOutcome> {
    const body = JSON.stringify({ v: 1, id: request.id, extension: request.extension, number: request.number, user_id: request.userId });
    const response = await fetch(url, { method: 'POST', headers, body, signal: controller.signal, redirect: 'manual' });
    return outcomeOf(response.status, jsonObject(await readCappedText(response, MAX_ANSWER_BYTES)));
  }

  return {
    async originate(request) {
      if (closed) return { ok: false, code: 'unreachable', reason: 'the relay is closing' };
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
      inFlight.add(controller);
      try {
        return await ask(request, controller);
      } catch (error) {
        if (timedOut) return { ok: false, code: 'timeout', reason: `the PBX did not answer within ${timeoutMs} ms` };
        if (closed) return { ok: false, code: 'unreachable', reason: 'the relay is closing' };
        return { ok: false, code: 'unreachable', reason: whyUnreachable(error) };
      } finally {
        clearTimeout(timer);
        inFlight.delete(controller);
      }
    },
    close() {
      closed = true;
      for (const controller of inFlight) controller.abort();
      inFlight.clear();
    },
  };
}
