/** The i18n files as the tests read them: one section of a locale, and the checks every section gets. */
import { readFileSync } from 'fs';
import { join } from 'path';

export const LOCALES = ['en', 'es', 'pt', 'ru', 'tr', 'id'] as const;

/** `i18n/<locale>.json`'s section (`{}` when it has none). */
export function i18nSection(locale: string, name: string): Record<string, unknown> {
  const file = JSON.parse(readFileSync(join(__dirname, '../../i18n', `${locale}.json`), 'utf8')) as Record<string, Record<string, unknown> | undefined>;
  return file[name] ?? {};
}

export const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

/** The English section equals the code's fallbacks; every other language has every key, translated, with the same placeholders. */
export function describeTranslations(name: string, english: Readonly<Record<string, string>>): void {
  const keys = Object.keys(english);
  test(`the English ${name} section matches the code's fallbacks`, () => {
    expect(i18nSection('en', name)).toEqual(english);
  });
  test.each(LOCALES.filter((l) => l !== 'en'))(`%s: every ${name} text, translated, with the same placeholders`, (locale) => {
    const strings = i18nSection(locale, name);
    expect(Object.keys(strings).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      expect(typeof strings[key]).toBe('string');
      expect(strings[key]).not.toBe(english[key]);
      expect(placeholders(strings[key] as string)).toEqual(placeholders(english[key]!));
    }
  });
}
