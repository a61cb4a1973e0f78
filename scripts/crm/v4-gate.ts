/**
 * Who gets through to a v4 route, decided as data (pure; the clock is an input):
 *  1. the private integration's token: `Authorization: Bearer <apiToken>`, else 401
 *     (a revoked token is null: every request is 401);
 *  2. the `rateLimit` fault: 429 + Retry-After: 1 to a deterministic share of the authorized
 *     requests counted since the fault was set: `{every: 5}` the 5th, 10th, ...; `{fraction,
 *     seed}` those whose hash of (seed, count) falls under the fraction;
 *  3. `maxPerSecond` (Kommo's real limit: 7 per integration): 429 + Retry-After: 1 when that
 *     many requests were already let through in the last 1000 ms (a sliding window of the
 *     admitted ones; the refused do not count, so a client that backs off gets through).
 */
import { problem } from './v4-answer';
import type { V4Answer } from './v4-answer';

/** Kommo's documented limit per integration. */
export const KOMMO_MAX_PER_SECOND = 7;

export type RateLimitFault = { every: number } | { fraction: number; seed: number };

export interface GateLimits {
  rateLimit?: RateLimitFault;
  maxPerSecond?: number;
}

export interface GateState {
  /** Authorized requests the rateLimit fault has seen since it was set. */
  counted: number;
  /** When the requests of the last second were admitted (ms), oldest first. */
  admittedAt: number[];
}

export const FRESH_GATE: GateState = { counted: 0, admittedAt: [] };

export interface GateInput extends GateLimits {
  authorization: string | undefined;
  /** Null once revoked. */
  apiToken: string | null;
  now: number;
}

export function gateV4(state: GateState, input: GateInput): { state: GateState; refused: V4Answer | null } {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(input.authorization ?? '')?.[1];
  if (token === undefined) return { state, refused: problem(401, 'Authorization: Bearer <access token> is required') };
  if (input.apiToken === null || token !== input.apiToken) return { state, refused: problem(401, 'the access token is invalid or revoked') };

  const counted = state.counted + 1;
  if (input.rateLimit && limitedByFault(input.rateLimit, counted)) {
    return { state: { ...state, counted }, refused: problem(429, 'rate limit (fault injected by the fixture CRM)', { 'Retry-After': '1' }) };
  }
  const admittedAt = state.admittedAt.filter((at) => at > input.now - 1000);
  if (input.maxPerSecond !== undefined && admittedAt.length >= input.maxPerSecond) {
    return { state: { counted, admittedAt }, refused: problem(429, `more than ${input.maxPerSecond} requests in one second`, { 'Retry-After': '1' }) };
  }
  return { state: { counted, admittedAt: input.maxPerSecond === undefined ? [] : [...admittedAt, input.now] }, refused: null };
}

/** Why these limits cannot be used, or null. */
export function limitsProblem(limits: GateLimits): string | null {
  const { rateLimit, maxPerSecond } = limits;
  if (maxPerSecond !== undefined && (!Number.isSafeInteger(maxPerSecond) || maxPerSecond < 1)) return 'maxPerSecond must be a positive integer';
  if (rateLimit === undefined) return null;
  if ('every' in rateLimit) return Number.isSafeInteger(rateLimit.every) && rateLimit.every >= 1 ? null : 'rateLimit.every must be a positive integer';
  if (!(rateLimit.fraction >= 0 && rateLimit.fraction <= 1)) return 'rateLimit.fraction must be from 0 to 1';
  return Number.isSafeInteger(rateLimit.seed) ? null : 'rateLimit.seed must be an integer';
}

function limitedByFault(limit: RateLimitFault, n: number): boolean {
  return 'every' in limit ? n % limit.every === 0 : unitHash(limit.seed, n) < limit.fraction;
}

/** A well-mixed [0, 1) from (seed, n): the same share of the same requests on every run. */
export function unitHash(seed: number, n: number): number {
  let t = (seed ^ Math.imul(n, 0x9e3779b1)) >>> 0;
  t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
  t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
  t ^= t >>> 16;
  return (t >>> 0) / 2 ** 32;
}
