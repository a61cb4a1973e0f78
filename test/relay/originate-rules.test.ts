/**
 * Click-to-call's pure rules (relay/src/originate/originate-rules.ts): which numbers and
 * extensions a request may carry, which extension rings, and the per-user rate limit on a clock
 * moved by hand, whose table forgets what is older than the interval.
 */
import { RequestRefused } from '../../relay/src/errors';
import { checkExtension, checkNumber, chooseExtension, createOriginateLimit, limitKey, MAX_REASON_CHARS, readOriginateBody, truncateReason } from '../../relay/src/originate/originate-rules';

/** What a rule threw, as the HTTP answer would name it. */
function refusal(run: () => unknown): { status: number; code: string; detail: Record<string, unknown> } | 'passed' {
  try {
    run();
    return 'passed';
  } catch (error) {
    if (!(error instanceof RequestRefused)) throw error;
    return { status: error.status, code: error.code, detail: error.detail };
  }
}

test('a number is E.164 the library calls possible, or an internal extension of 1..4 digits', () => {
  for (const good of ['+74951234567', '+14155550100', '+442071838750', '+18305803077']) expect(checkNumber(good)).toBe(good);
  for (const internal of ['1', '102', '9999']) expect(checkNumber(internal)).toBe(internal);
  const bad = ['', '+', '+1', '+7 495 123-45-67', '74951234567', '10000', '+7495123456789012', '+7495', 'abc', '+7495abc4567', ' +74951234567', '+74951234567 ', '(495) 123-45-67', 'tel:+74951234567', '٠١٢'];
  expect(bad.map((number) => [number, refusal(() => checkNumber(number))])).toEqual(bad.map((number) => [number, { status: 400, code: 'bad_number', detail: {} }]));
  // Not a string, or absent: the same code, and the reason says the format.
  for (const value of [undefined, null, 74951234567, ['+74951234567'], {}]) expect(refusal(() => checkNumber(value))).toMatchObject({ code: 'bad_number' });
  expect(() => checkNumber(undefined)).toThrow(/number is missing: number must be E\.164 \("\+74951234567"/);
  expect(() => checkNumber('74951234567')).toThrow(/or an internal extension of 1\.\.4 digits/);
});

test('a plus and digits the library finds impossible for the country is refused with the number named', () => {
  // +7 (Russia) numbers have 10 national digits; 3 are too few, 14 too many.
  expect(() => checkNumber('+7495')).toThrow('"+7495" is not a possible phone number');
  expect(() => checkNumber('+74951234567890')).toThrow(/is not a possible phone number/);
});

test('the extension field: absent is null, a string of 1..64 without spaces or commas, trimmed like a poll\'s', () => {
  expect([undefined, null].map(checkExtension)).toEqual([null, null]);
  expect(checkExtension('101')).toBe('101');
  expect(checkExtension(' 101 ')).toBe('101');
  expect(checkExtension('x'.repeat(64))).toBe('x'.repeat(64));
  for (const value of [101, '', '   ', 'x'.repeat(65), '10 1', '101,102', ['101'], true]) {
    expect([value, refusal(() => checkExtension(value))]).toEqual([value, { status: 400, code: 'bad_request', detail: {} }]);
  }
});

test('which extension rings: the asked one if it is the user\'s, else the first; none, another\'s, or the shared token without one are refused', () => {
  expect(chooseExtension(null, ['104', '105'])).toBe('104');
  expect(chooseExtension('105', ['104', '105'])).toBe('105');
  expect(refusal(() => chooseExtension('106', ['104', '105']))).toEqual({ status: 403, code: 'forbidden_extension', detail: { extensions: ['106'] } });
  expect(refusal(() => chooseExtension(null, []))).toEqual({ status: 403, code: 'no_extension', detail: {} });
  expect(refusal(() => chooseExtension('101', []))).toEqual({ status: 403, code: 'no_extension', detail: {} });
  // The legacy shared token: any extension, but it must be named.
  expect(chooseExtension('777', null)).toBe('777');
  expect(refusal(() => chooseExtension(null, null))).toEqual({ status: 400, code: 'bad_request', detail: {} });
});

test('the body must be a JSON object; its fields are checked in turn', () => {
  expect(readOriginateBody('{"number": "+74951234567", "extension": "101", "extra": 1}')).toEqual({ number: '+74951234567', extension: '101' });
  expect(readOriginateBody('{"number": "102"}')).toEqual({ number: '102', extension: null });
  for (const text of ['', 'nope', '[{"number": "102"}]', 'null', '"102"', '42']) expect([text, refusal(() => readOriginateBody(text))]).toEqual([text, { status: 400, code: 'bad_json', detail: {} }]);
  expect(refusal(() => readOriginateBody('{"extension": "101"}'))).toMatchObject({ code: 'bad_number' });
  expect(refusal(() => readOriginateBody('{"number": "102", "extension": 101}'))).toMatchObject({ code: 'bad_request' });
});

test('the PBX\'s reason is cut at 200 characters', () => {
  expect(MAX_REASON_CHARS).toBe(200);
  expect(truncateReason('busy')).toBe('busy');
  expect(truncateReason('x'.repeat(200))).toHaveLength(200);
  expect(truncateReason('y'.repeat(5000))).toBe('y'.repeat(200));
});

describe('the rate limit', () => {
  const T0 = 1_700_000_000_000;

  test('one originate per key per interval; Retry-After rounds up, at least 1 s; other keys are not held', () => {
    const clock = { ms: T0 };
    const limit = createOriginateLimit({ intervalMs: 3000, now: () => clock.ms });
    const alice = limitKey('1001', '101');
    expect(limit.check(alice)).toEqual({ ok: true });
    // Checking counts nothing: only record does (the PBX is asked).
    expect(limit.check(alice)).toEqual({ ok: true });
    limit.record(alice);
    expect(limit.check(alice)).toEqual({ ok: false, retryAfterS: 3 });
    expect(limit.check(limitKey('1002', '101'))).toEqual({ ok: true });
    clock.ms += 1;
    expect(limit.check(alice)).toEqual({ ok: false, retryAfterS: 3 });
    clock.ms = T0 + 2001;
    expect(limit.check(alice)).toEqual({ ok: false, retryAfterS: 1 });
    clock.ms = T0 + 2999;
    expect(limit.check(alice)).toEqual({ ok: false, retryAfterS: 1 });
    clock.ms = T0 + 3000;
    expect(limit.check(alice)).toEqual({ ok: true });
  });

  test('a user is one key whatever the extension; the shared token is keyed per extension', () => {
    expect(limitKey('1001', '101')).toBe(limitKey('1001', '150'));
    expect(limitKey(null, '101')).not.toBe(limitKey(null, '102'));
    expect(limitKey(null, '1001')).not.toBe(limitKey('1001', '1001'));
  });

  test('the table is bounded: entries older than the interval are dropped at the next check or record', () => {
    const clock = { ms: T0 };
    const limit = createOriginateLimit({ intervalMs: 3000, now: () => clock.ms });
    for (let i = 0; i < 1000; i += 1) {
      limit.record(limitKey(null, `e${i}`));
      clock.ms += 1;
    }
    expect(limit.size()).toBe(1000);
    // At T0 + 3500 the first 501 entries (recorded at T0..T0+500) are 3000 ms old or more.
    clock.ms = T0 + 3500;
    expect(limit.check('someone')).toEqual({ ok: true });
    expect(limit.size()).toBe(499);
    clock.ms = T0 + 999 + 3000;
    limit.record('late');
    expect(limit.size()).toBe(1);
    // A key recorded again moves to the end, so the front stays the oldest.
    limit.record('late');
    expect(limit.size()).toBe(1);
  });

  test('an interval of 0 turns the limit off and keeps nothing; a negative or fractional one is refused', () => {
    const limit = createOriginateLimit({ intervalMs: 0, now: () => T0 });
    limit.record('k');
    expect(limit.check('k')).toEqual({ ok: true });
    expect(limit.size()).toBe(0);
    expect(() => createOriginateLimit({ intervalMs: -1, now: () => T0 })).toThrow('originate intervalMs must be an integer >= 0, got -1');
    expect(() => createOriginateLimit({ intervalMs: 1.5, now: () => T0 })).toThrow(RangeError);
  });
});
