import { RETRY_AFTER_MAX_MS, parseRetryAfter } from '../../../src/core/retry-after';

describe('Retry-After', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');
  test.each([
    ['2', 2000],
    [' 0 ', 0],
    ['Sat, 21 Nov 2026 12:00:05 GMT', 5000],
    ['Sat, 21 Nov 2026 11:59:00 GMT', 0],
  ])('%j -> %d ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });

  test.each([[null], ['soon'], ['-1'], ['1.5'], ['']])('%j -> not given', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });

  test('capped at 5 minutes: just under, at and over the cap, a huge value, a far date', () => {
    expect(RETRY_AFTER_MAX_MS).toBe(300_000);
    expect(parseRetryAfter('299', now)).toBe(299_000);
    expect(parseRetryAfter('300', now)).toBe(300_000);
    expect(parseRetryAfter('301', now)).toBe(300_000);
    expect(parseRetryAfter('99999999999999999999999', now)).toBe(300_000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 12:04:59 GMT', now)).toBe(299_000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 12:05:01 GMT', now)).toBe(300_000);
    expect(parseRetryAfter('Sun, 21 Nov 2027 12:00:00 GMT', now)).toBe(300_000);
  });
});
