/** The `lookup` section exists in every locale, with the placeholders the code fills, and is translated. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCALES = ['en', 'es', 'pt', 'ru', 'tr', 'id'];
const PLACEHOLDERS: Record<string, string[]> = { lead_unnamed: ['{{id}}'], customer_unnamed: ['{{id}}'] };
const load = (locale: string) => JSON.parse(readFileSync(join(__dirname, '../../../i18n', `${locale}.json`), 'utf8')) as { lookup?: Record<string, string> };

test('every locale has the same lookup keys, each with its placeholders, none copied from English', () => {
  const en = load('en').lookup ?? {};
  expect(Object.keys(en).sort()).toEqual(expect.arrayContaining(Object.keys(PLACEHOLDERS)));
  for (const locale of LOCALES) {
    const section = load(locale).lookup ?? {};
    expect(Object.keys(section).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(section)) {
      expect(text.trim()).not.toBe('');
      for (const p of PLACEHOLDERS[key] ?? []) expect(text).toContain(p);
      if (locale !== 'en') expect(text).not.toBe(en[key]);
    }
  }
});
