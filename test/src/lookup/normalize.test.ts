import fc from 'fast-check';
import { getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { CountryCode } from 'libphonenumber-js/min';
import examples from 'libphonenumber-js/examples.mobile.json';
import { normalizeNumber } from '../../../src/lookup';

const e164Of = (raw: string, country?: string): string | undefined => {
  const r = normalizeNumber(raw, country);
  return r.kind === 'number' ? r.number.e164 : undefined;
};

describe('normalizeNumber: formats the PBX sends', () => {
  test.each([
    ['+1 830 580 3077', undefined, '+18305803077', '+1 830 580 3077'],
    ['+1 (830) 580-30-77', undefined, '+18305803077', '+1 830 580 3077'],
    ['001 830 580 3077', undefined, '+18305803077', '+1 830 580 3077'],
    ['tel:+1-830-580-3077', undefined, '+18305803077', '+1 830 580 3077'],
    ['18305803077', 'US', '+18305803077', '+1 830 580 3077'],
    ['(830) 580-3077', 'US', '+18305803077', '+1 830 580 3077'],
    ['011 44 20 7946 0958', 'US', '+442079460958', '+44 20 7946 0958'],
    ['8 (495) 123-45-67', 'RU', '+74951234567', '+7 495 123 45 67'],
    ['8 495 123 45 67', 'ru', '+74951234567', '+7 495 123 45 67'],
    ['810 44 20 7946 0958', 'RU', '+442079460958', '+44 20 7946 0958'],
    ['020 7946 0958', 'GB', '+442079460958', '+44 20 7946 0958'],
    ['[020] 7946\u00a00958', 'GB', '+442079460958', '+44 20 7946 0958'],
    ['030 9876 5432', 'DE', '+493098765432', '+49 30 98765432'],
    ['493098765432', 'DE', '+493098765432', '+49 30 98765432'],
    ['+1 830 580 3077', 'RU', '+18305803077', '+1 830 580 3077'],
    ['(11) 91234–5678', 'BR', '+5511912345678', '+55 11 91234 5678'],
  ])('%j with country %s -> %s', (raw, country, e164, international) => {
    const r = normalizeNumber(raw, country);
    expect(r).toEqual({ kind: 'number', number: { raw, e164, international, digits: e164.slice(1), hasCountry: true } });
  });

  test('without a country a national number keeps its digits as sent, no + (by_phone still matches the last 7)', () => {
    expect(normalizeNumber('8 (916) 123-45-67')).toEqual({
      kind: 'number',
      number: { raw: '8 (916) 123-45-67', e164: '+89161234567', international: '89161234567', digits: '89161234567', hasCountry: false },
    });
  });

  describe('digits that are no number of the default country, sent without a country code, are not read as another country\'s', () => {
    test.each([
      // The protocol doc's own example: Moscow with the trunk 8, which as +84 would be Vietnam.
      ['84951234567', 'US', '84951234567'],
      ['8 495 123 45 67', 'US', '84951234567'],
      // A US number without its +, with country RU: not Russian, and no + is invented for it.
      ['18305803077', 'RU', '18305803077'],
      ['442079460958', 'US', '442079460958'],
    ])('%j with country %s: shown as the digits sent, looked up by them, no country', (raw, country, digits) => {
      expect(normalizeNumber(raw, country)).toEqual({
        kind: 'number',
        number: { raw, e164: `+${digits}`, international: digits, digits, hasCountry: false },
      });
    });

    test.each([
      ['84951234567', undefined],
      ['84951234567', ''],
      ['84951234567', 'XX'],
      ['84951234567', 'United States'],
      ['1.830.580.3077', undefined],
      ['442079460958', ''],
    ])('%j with no usable default country (%j): shown as the digits sent, no country invented for them', (raw, country) => {
      const digits = raw.replace(/\D/g, '');
      expect(normalizeNumber(raw, country)).toEqual({
        kind: 'number',
        number: { raw, e164: `+${digits}`, international: digits, digits, hasCountry: false },
      });
    });

    test('control: the same digits with + or 00 are the international number they say', () => {
      for (const raw of ['+84951234567', '0084951234567', '+84 95 123 45 67']) {
        const r = normalizeNumber(raw, 'US');
        expect(r).toMatchObject({ kind: 'number', number: { e164: '+84951234567', hasCountry: true } });
      }
      expect(normalizeNumber('+84951234567', 'US')).toMatchObject({ number: { international: expect.stringMatching(/^\+84 /) } });
    });

    test('control: the region\'s own international prefix still makes it international (011 from the US)', () => {
      expect(normalizeNumber('011 84 95 123 45 67', 'US')).toMatchObject({ kind: 'number', number: { e164: '+84951234567', hasCountry: true } });
    });

    test('a number sent with + that the library cannot place keeps its + (it names its country)', () => {
      expect(normalizeNumber('+610000000', 'US')).toMatchObject({ kind: 'number', number: { international: '+610000000', hasCountry: true } });
    });
  });

  test('a reading the library only calls "possible" keeps the raw digits (found by the idempotence property)', () => {
    // libphonenumber-js reads +610000000 as +61000000 (a trunk 0 after the country code), and
    // that again as +6100000: normalising twice must not lose digits.
    expect(e164Of('610000000')).toBe('+610000000');
    expect(e164Of('+610000000')).toBe('+610000000');
  });

  test('an unknown or malformed country setting is ignored, not fatal', () => {
    expect(e164Of('+1 830 580 3077', 'XX')).toBe('+18305803077');
    expect(e164Of('+1 830 580 3077', 'United States')).toBe('+18305803077');
  });

  test.each(['1', '42', '101', '1039', ' 1-0-3 '])('%j is an internal extension', (raw) => {
    expect(normalizeNumber(raw, 'US')).toEqual({ kind: 'internal', extension: raw.replace(/\D/g, '') });
  });

  test.each([
    ['empty', ''],
    ['blank', '   '],
    ['letters only', 'anonymous'],
    ['letters and digits', '+1 830 CALL NOW'],
    ['a plus inside', '12+345678'],
    ['two pluses', '++18305803077'],
    ['200 digits', '9'.repeat(200)],
    ['16 digits after a plus', '+1234567890123456'],
    ['a plus and a short number', '+123'],
    ['only separators', '--()..'],
  ])('%s is not a phone number', (_what, raw) => {
    expect(normalizeNumber(raw, 'US')).toEqual({ kind: 'invalid', raw });
  });

  test('non-strings from plain-JS callers are invalid, not a crash', () => {
    expect(normalizeNumber(undefined as unknown as string).kind).toBe('invalid');
    expect(normalizeNumber(18305803077 as unknown as string).kind).toBe('invalid');
  });
});

describe('normalizeNumber: properties', () => {
  const COUNTRIES: CountryCode[] = ['US', 'GB', 'DE', 'RU', 'BR', 'ES', 'TR', 'ID', 'MX', 'FR', 'IN', 'IT', 'PT', 'AR'];
  const SEPARATORS = [' ', '-', '.', '(', ')', '\u00a0', '–', '/'];

  /** A valid number of one country: its example mobile number with the last digits replaced. */
  const validNumber = fc
    .record({ country: fc.constantFrom(...COUNTRIES), tail: fc.stringMatching(/^\d{4}$/) })
    .map(({ country, tail }) => {
      const example = getExampleNumber(country, examples);
      const national = example ? example.nationalNumber.slice(0, -4) + tail : '';
      return { country, parsed: parsePhoneNumberFromString(national, country) };
    })
    .filter((x) => x.parsed?.isValid() === true)
    .map(({ country, parsed }) => ({ country, number: parsed! }));

  /** Sprinkles separators between the characters (after a leading `+`, which must stay first). */
  const sprinkle = (text: string, picks: number[]): string =>
    [...text].map((ch, i) => (i > 0 && picks[i % picks.length]! % 3 === 0 ? SEPARATORS[picks[i % picks.length]! % SEPARATORS.length] + ch : ch)).join('');

  test('two formattings of one number normalise alike (country setting = its country)', () => {
    fc.assert(
      fc.property(validNumber, fc.array(fc.nat(50), { minLength: 1, maxLength: 20 }), fc.nat(6), fc.nat(6), ({ country, number }, picks, a, b) => {
        const formats = [
          number.number,
          number.formatInternational(),
          number.formatNational(),
          `00${number.countryCallingCode}${number.nationalNumber}`,
          number.getURI(),
          sprinkle(number.formatInternational(), picks),
          sprinkle(number.formatNational(), picks),
        ];
        expect(e164Of(formats[a]!, country)).toBe(number.number);
        expect(e164Of(formats[a]!, country)).toBe(e164Of(formats[b]!, country));
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });

  test('international formattings normalise alike without any country setting', () => {
    fc.assert(
      fc.property(validNumber, fc.array(fc.nat(50), { minLength: 1, maxLength: 20 }), ({ number }, picks) => {
        const forms = [number.number, number.formatInternational(), `00${number.number.slice(1)}`, sprinkle(number.formatInternational(), picks)];
        for (const form of forms) expect(e164Of(form)).toBe(number.number);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 200) },
    );
  });

  test('never throws, and what it returns is well-formed, for any text', () => {
    const phoneish = fc
      .array(fc.constantFrom('0', '1', '5', '8', '9', '+', ' ', '-', '.', '(', ')', 'a', 'x', '#', '\u00a0'), { maxLength: 40 })
      .map((chars) => chars.join(''));
    const anything = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 80 }), phoneish, fc.stringMatching(/^\d{1,250}$/));
    fc.assert(
      fc.property(anything, fc.constantFrom(undefined, 'US', 'RU', 'zz', ''), (raw, country) => {
        const r = normalizeNumber(raw, country);
        switch (r.kind) {
          case 'number':
            expect(r.number.digits).toMatch(/^\d{5,15}$/);
            expect(r.number.e164).toBe(`+${r.number.digits}`);
            expect(r.number.raw).toBe(raw);
            // Normalising the result again changes nothing: E.164 when it names its country, else
            // the digits as sent (its `+digits` is an identity only: `+930200000000` is Afghanistan's).
            expect(e164Of(r.number.hasCountry ? r.number.e164 : r.number.digits, country)).toBe(r.number.e164);
            if (!r.number.hasCountry) expect(r.number.international).toBe(r.number.digits);
            break;
          case 'internal':
            expect(r.extension).toMatch(/^\d{1,4}$/);
            break;
          case 'invalid':
            expect(r.raw).toBe(raw);
            break;
          default:
            throw new Error(`unexpected kind ${(r as { kind: string }).kind}`);
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 1000) },
    );
  });
});
