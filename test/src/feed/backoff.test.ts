import fc from 'fast-check';
import { backoffDelay, pollErrorDelay } from '../../../src/feed';
import { isWakeDrift } from '../../../src/feed/wake';

describe('backoffDelay (full jitter)', () => {
  test('the first retry comes within 1 s, the ceiling doubles, the cap is 30 s', () => {
    const top = () => 0.999999;
    expect(backoffDelay(0, top)).toBeLessThan(1000);
    expect(backoffDelay(0, top)).toBeGreaterThan(990);
    expect(backoffDelay(1, top)).toBeGreaterThan(1990);
    expect(backoffDelay(1, top)).toBeLessThan(2000);
    expect(backoffDelay(4, top)).toBeGreaterThan(15_900);
    expect(backoffDelay(5, top)).toBeLessThan(30_000);
    expect(backoffDelay(5, top)).toBeGreaterThan(29_900);
    expect(backoffDelay(2000, top)).toBeLessThan(30_000);
    expect(backoffDelay(3, () => 0)).toBe(0);
  });

  test('always within [0, min(cap, base*2^attempt)) for any random in [0,1]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const d = backoffDelay(attempt, () => r);
        return Number.isInteger(d) && d >= 0 && d < Math.min(30_000, 1000 * 2 ** attempt);
      }),
    );
  });

  test('polling errors double the interval up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => pollErrorDelay(n, 3000))).toEqual([6000, 12_000, 24_000, 30_000, 30_000, 30_000]);
  });
});

describe('wake detection (pure)', () => {
  test('a visible page that slept counts; normal jitter and hidden-tab throttling do not', () => {
    expect(isWakeDrift(5000, 5200, true)).toBe(false);
    expect(isWakeDrift(5000, 60_000, true)).toBe(true);
    expect(isWakeDrift(5000, 61_000, false)).toBe(false); // Chrome's once-a-minute hidden timers
    expect(isWakeDrift(5000, 600_000, false)).toBe(true);
  });
});
