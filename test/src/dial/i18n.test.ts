import { readFileSync } from 'fs';
import { join } from 'path';
import { ENGLISH_DIAL_STRINGS } from '../../../src/dial';

const LOCALES = ['en', 'es', 'pt', 'ru', 'tr', 'id'] as const;
const section = (locale: string): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(__dirname, '../../../i18n', `${locale}.json`), 'utf8')) as { dial?: Record<string, unknown> }).dial ?? {};
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
const KEYS = Object.keys(ENGLISH_DIAL_STRINGS) as (keyof typeof ENGLISH_DIAL_STRINGS)[];

test("the English dial section matches the code's fallbacks", () => {
  expect(section('en')).toEqual(ENGLISH_DIAL_STRINGS);
});

test.each(LOCALES.filter((l) => l !== 'en'))('%s: every dial text, translated, with the same placeholders', (locale) => {
  const strings = section(locale);
  expect(Object.keys(strings).sort()).toEqual([...KEYS].sort());
  for (const key of KEYS) {
    expect(typeof strings[key]).toBe('string');
    expect(strings[key]).not.toBe(ENGLISH_DIAL_STRINGS[key]);
    expect(placeholders(strings[key] as string)).toEqual(placeholders(ENGLISH_DIAL_STRINGS[key]));
  }
});
