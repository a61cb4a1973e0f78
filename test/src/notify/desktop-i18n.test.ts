import { readFileSync } from 'fs';
import { join } from 'path';
import { ENGLISH_DESKTOP_STRINGS, desktopStringsFrom } from '../../../src/notify/desktop-strings';

const LOCALES = ['en', 'es', 'pt', 'ru', 'tr', 'id'] as const;
const section = (locale: string): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(__dirname, '../../../i18n', `${locale}.json`), 'utf8')) as { desktop?: Record<string, unknown> }).desktop ?? {};
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
const KEYS = Object.keys(ENGLISH_DESKTOP_STRINGS) as (keyof typeof ENGLISH_DESKTOP_STRINGS)[];

test("the English desktop section matches the code's fallbacks", () => {
  expect(section('en')).toEqual(ENGLISH_DESKTOP_STRINGS);
});

test.each(LOCALES.filter((l) => l !== 'en'))('%s: every desktop text, translated, with the same placeholders', (locale) => {
  const strings = section(locale);
  expect(Object.keys(strings).sort()).toEqual([...KEYS].sort());
  for (const key of KEYS) {
    expect(typeof strings[key]).toBe('string');
    expect(strings[key]).not.toBe(ENGLISH_DESKTOP_STRINGS[key]);
    expect(placeholders(strings[key] as string)).toEqual(placeholders(ENGLISH_DESKTOP_STRINGS[key]));
  }
});

test('a missing or empty text falls back to English', () => {
  expect(desktopStringsFrom({ incoming: '', offer: 7 })).toEqual(ENGLISH_DESKTOP_STRINGS);
  expect(desktopStringsFrom(undefined)).toEqual(ENGLISH_DESKTOP_STRINGS);
});
