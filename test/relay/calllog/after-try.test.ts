/**
 * What becomes of a job after one try, without a clock: done, tried again after a doubling
 * capped backoff (spread by jitter) or a longer wait Kommo asked for, the whole queue paused, or
 * set aside for good.
 */
import { afterTry, BACKOFF_DEFAULTS, backoffMs } from '../../../relay/src/calllog/after-try';
import type { BackoffConfig, TryVerdict } from '../../../relay/src/calllog/after-try';

const NOW = 1_700_000_000_000;
const FULL: BackoffConfig = { baseMs: 1_000, maxMs: 300_000, jitter: () => 1 };
const failed = (verdict: TryVerdict) => ({ ok: false as const, verdict });
const passing = failed({ retry: true, reason: 'Kommo did not answer (503)' });

test('a try that worked: the job is done', () => {
  expect(afterTry({ attempts: 3 }, { ok: true }, NOW, FULL)).toEqual({ action: 'succeed' });
});

test('a passing failure: tried again after base × 2^tries so far, capped', () => {
  const waits = [0, 1, 2, 3, 8, 9, 60, 5_000].map((attempts) => {
    const step = afterTry({ attempts }, passing, NOW, FULL);
    return step.action === 'retry' ? step.nextAt - NOW : null;
  });
  expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000, 300_000]);
  expect(afterTry({ attempts: 0 }, passing, NOW, FULL)).toEqual({ action: 'retry', nextAt: NOW + 1_000, reason: 'Kommo did not answer (503)' });
});

test('jitter spreads the wait between half and all of it; out-of-range jitter is held in range', () => {
  const at = (jitter: number) => backoffMs(2, { ...FULL, jitter: () => jitter });
  expect([at(0), at(0.5), at(1)]).toEqual([2_000, 3_000, 4_000]);
  expect([at(-3), at(7), at(Number.NaN)]).toEqual([2_000, 4_000, 4_000]);
  const spread = new Set(Array.from({ length: 50 }, () => backoffMs(4, { ...FULL, jitter: Math.random })));
  expect([...spread].every((ms) => ms >= 8_000 && ms <= 16_000)).toBe(true);
  expect(spread.size).toBeGreaterThan(1);
  expect(BACKOFF_DEFAULTS).toMatchObject({ baseMs: 1_000, maxMs: 300_000 });
});

test('a wait Kommo asked for (Retry-After) wins when it is longer than the backoff, not when shorter', () => {
  const longer = afterTry({ attempts: 0 }, failed({ retry: true, afterMs: 30_000, reason: '503 Retry-After 30' }), NOW, FULL);
  expect(longer).toEqual({ action: 'retry', nextAt: NOW + 30_000, reason: '503 Retry-After 30' });
  const shorter = afterTry({ attempts: 4 }, failed({ retry: true, afterMs: 500, reason: '503 Retry-After 0.5' }), NOW, FULL);
  expect(shorter).toMatchObject({ nextAt: NOW + 16_000 });
  for (const afterMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    expect(afterTry({ attempts: 0 }, failed({ retry: true, afterMs, reason: 'odd header' }), NOW, FULL)).toMatchObject({ nextAt: NOW + 1_000 });
  }
});

test('a reason that stops every request pauses the whole queue; the job itself waits at least as long', () => {
  const step = afterTry({ attempts: 0 }, failed({ retry: true, pauseAllMs: 60_000, reason: 'Kommo refused the API token (401)' }), NOW, FULL);
  expect(step).toEqual({ action: 'retry', nextAt: NOW + 60_000, pauseUntil: NOW + 60_000, reason: 'Kommo refused the API token (401)' });
  const rateLimited = afterTry({ attempts: 9 }, failed({ retry: true, afterMs: 2_000, pauseAllMs: 2_000, reason: '429' }), NOW, FULL);
  expect(rateLimited).toEqual({ action: 'retry', nextAt: NOW + 300_000, pauseUntil: NOW + 2_000, reason: '429' });
  expect(afterTry({ attempts: 0 }, failed({ retry: true, pauseAllMs: 0, reason: 'x' }), NOW, FULL)).not.toHaveProperty('pauseUntil');
});

test('a refusal retrying cannot fix: set aside with its reason, whatever the tries so far', () => {
  expect(afterTry({ attempts: 0 }, failed({ retry: false, reason: 'Kommo refused POST /api/v4/calls (400)' }), NOW, FULL)).toEqual({
    action: 'park',
    reason: 'Kommo refused POST /api/v4/calls (400)',
  });
});
