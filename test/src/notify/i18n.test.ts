import { i18nSection, placeholders, LOCALES } from '../../support/i18n-sections';
import { ENGLISH_NOTIFY_STRINGS, NOTIFY_STRING_KEYS, buildPopup, notifyStringsFrom } from '../../../src/notify';
import { callEvent, internal, invalid, notFound } from './fixtures';

const section = (locale: string) => i18nSection(locale, 'notify');

test("the English file matches the code's fallbacks", () => {
  expect(section('en')).toEqual(ENGLISH_NOTIFY_STRINGS);
});

describe.each(LOCALES.filter((l) => l !== 'en').map((l) => [l]))('%s', (locale) => {
  const strings = section(locale);
  test('has every key, translated, with the same placeholders as English', () => {
    expect(Object.keys(strings).sort()).toEqual([...NOTIFY_STRING_KEYS].sort());
    for (const key of NOTIFY_STRING_KEYS) {
      const value = strings[key];
      expect(typeof value).toBe('string');
      expect(value).not.toBe(ENGLISH_NOTIFY_STRINGS[key]);
      expect(placeholders(value as string)).toEqual(placeholders(ENGLISH_NOTIFY_STRINGS[key]));
    }
  });
  test('builds a pop-up with no English left in it', () => {
    const popup = buildPopup(callEvent(), notFound(), notifyStringsFrom(strings));
    expect(`${popup.header} ${popup.text}`).not.toMatch(/Incoming|Unknown|Create/);
  });
  test('a slow, a busy, a refusing and a failing CRM read differently', () => {
    expect(new Set([strings.lookup_slow, strings.lookup_busy, strings.lookup_forbidden, strings.lookup_failed]).size).toBe(4);
  });
  test('the withheld and the internal pop-ups name the number once', () => {
    const texts = notifyStringsFrom(strings);
    const hidden = buildPopup(callEvent({ phone: '' }), invalid(''), texts);
    expect(hidden.header).toContain(texts.hidden_number);
    expect(hidden.text).not.toContain(texts.hidden_number);
    const extension = buildPopup(callEvent({ phone: '102' }), internal('102'), texts);
    expect(extension.header).toContain('102');
    expect(extension.text).not.toContain('102');
    expect(buildPopup(callEvent({ direction: 'outbound' }), notFound(), texts).header).toContain('+1 830 580 3077');
  });
});
