import { ENGLISH_DESKTOP_STRINGS, desktopStringsFrom } from '../../../src/notify/desktop-strings';
import { describeTranslations } from '../../support/i18n-sections';

describeTranslations('desktop', ENGLISH_DESKTOP_STRINGS);

test('a missing or empty text falls back to English', () => {
  expect(desktopStringsFrom({ incoming: '', offer: 7 })).toEqual(ENGLISH_DESKTOP_STRINGS);
  expect(desktopStringsFrom(undefined)).toEqual(ENGLISH_DESKTOP_STRINGS);
});
