import fc from 'fast-check';
import { HttpError, NetworkError, ProtocolError } from '../../../src/core/errors';
import { backoffDelay, pollErrorDelay } from '../../../src/feed';
import { BACKOFF_TIMING, pollRetryDelay } from '../../../src/feed/backoff';
import { WAKE_TIMING, isWakeDrift, watchWake } from '../../../src/feed/wake';
import { FakePage, ManualClock } from './support';

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
    // The cap's edge: just under it, at it, over it.
    expect(pollErrorDelay(1, 14_999)).toBe(29_998);
    expect(pollErrorDelay(1, 15_000)).toBe(30_000);
    expect(pollErrorDelay(1, 15_001)).toBe(30_000);
  });

  test('the poller waits what a transient failure asks within the cap, and 5 minutes after any other', () => {
    const url = 'https://pbx.example.com/calls';
    // A visible tab: one interval after a network error, a timeout or a 502; hidden: doubling.
    expect(pollRetryDelay(new NetworkError('GET', url), 3, 3000)).toBe(3000);
    expect(pollRetryDelay(new HttpError(502, 'GET', url), 3, 3000)).toBe(3000);
    expect(pollRetryDelay(new NetworkError('GET', url), 1, 3000, true)).toBe(6000);
    expect(pollRetryDelay(new NetworkError('GET', url), 3, 3000, true)).toBe(24_000);
    expect(pollRetryDelay(new HttpError(429, 'GET', url, 5999), 1, 3000)).toBe(6000);
    expect(pollRetryDelay(new HttpError(429, 'GET', url, 6001), 1, 3000)).toBe(6001);
    expect(pollRetryDelay(new HttpError(503, 'GET', url, 29_999), 1, 3000)).toBe(29_999);
    expect(pollRetryDelay(new HttpError(503, 'GET', url, 30_001), 1, 3000)).toBe(30_000);
    expect(pollRetryDelay(new HttpError(404, 'GET', url), 1, 3000)).toBe(BACKOFF_TIMING.nonTransientMs);
    expect(pollRetryDelay(new HttpError(404, 'GET', url, 1000), 9, 3000)).toBe(300_000);
    expect(pollRetryDelay(new ProtocolError('bad body'), 1, 3000)).toBe(300_000);
  });
});

describe('wake detection (pure)', () => {
  test('a visible page that slept counts; normal jitter and hidden-tab throttling do not', () => {
    expect(isWakeDrift(5000, 5200, true)).toBe(false);
    expect(isWakeDrift(5000, 60_000, true)).toBe(true);
    expect(isWakeDrift(5000, 61_000, false)).toBe(false); // Chrome's once-a-minute hidden timers
    expect(isWakeDrift(5000, 600_000, false)).toBe(true);
  });

  test('the drift thresholds at their edges: 15 s late while visible, 130 s while hidden', () => {
    expect([WAKE_TIMING.visibleDriftMs, WAKE_TIMING.hiddenDriftMs]).toEqual([15_000, 130_000]);
    expect(isWakeDrift(5000, 5000 + 15_000, true)).toBe(false);
    expect(isWakeDrift(5000, 5000 + 15_001, true)).toBe(true);
    expect(isWakeDrift(5000, 5000 + 130_000, false)).toBe(false);
    expect(isWakeDrift(5000, 5000 + 130_001, false)).toBe(true);
  });
});

describe('watchWake', () => {
  function watch(visible = true) {
    const clock = new ManualClock();
    const page = new FakePage();
    page.visible = visible;
    const wakes: string[] = [];
    const watcher = watchWake(clock, page, (why) => wakes.push(why));
    return { clock, page, wakes, watcher };
  }

  test('checks every 5 s; a check that fires 15 s late (no more) is a wake', () => {
    const { clock, wakes, watcher } = watch();
    expect(WAKE_TIMING.checkEveryMs).toBe(5000);
    expect(clock.pending()).toBe(1);
    clock.advance(4999);
    expect(clock.pending()).toBe(1);
    clock.sleep(1 + 15_001); // the check was due 1 ms from now; it runs 15 001 ms late
    clock.advance(0);
    expect(wakes).toEqual(['drift']);
    clock.sleep(5000 + 15_000); // due in 5000, runs exactly 15 000 ms late: ordinary throttling
    clock.advance(0);
    expect(wakes).toEqual(['drift']);
    watcher.stop();
    expect(clock.pending()).toBe(0);
  });

  test('a tab hidden 60 s or more wakes when visible again; 1 ms less does not', () => {
    const { clock, page, wakes, watcher } = watch();
    expect(WAKE_TIMING.longHiddenMs).toBe(60_000);
    page.setVisible(false);
    clock.sleep(59_999);
    page.setVisible(true);
    expect(wakes).toEqual([]);
    page.setVisible(false);
    clock.sleep(60_000);
    page.setVisible(true);
    expect(wakes).toEqual(['visible']);
    page.goOnline();
    expect(wakes).toEqual(['visible', 'online']);
    watcher.stop();
    expect(page.listeners()).toBe(0);
  });
});
