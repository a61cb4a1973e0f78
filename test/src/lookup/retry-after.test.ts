import { retryAfterMs } from '../../../src/lookup/by-phone-request';

describe('Retry-After', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');
  test.each([
    ['2', 2000],
    [' 0 ', 0],
    ['Sat, 21 Nov 2026 12:00:05 GMT', 5000],
    ['Sat, 21 Nov 2026 11:59:00 GMT', 0],
  ])('%j -> %d ms', (header, ms) => {
    expect(retryAfterMs(header, now)).toBe(ms);
  });

  test.each([[null], ['soon'], ['-1'], ['1.5']])('%j -> not given', (header) => {
    expect(retryAfterMs(header, now)).toBeUndefined();
  });
});
