/** The country check of the settings, without the phone number metadata, must agree with it. */
import { getCountries, isSupportedCountry as libraryKnows } from 'libphonenumber-js/min';
import { isSupportedCountry } from '../../../src/settings/countries';

test('the list is exactly the regions libphonenumber-js has metadata for', () => {
  for (const code of getCountries()) expect([code, isSupportedCountry(code)]).toEqual([code, true]);
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (const a of letters) for (const b of letters) expect([a + b, isSupportedCountry(a + b)]).toEqual([a + b, libraryKnows(a + b)]);
});

test('only upper-case two-letter codes: the caller upper-cases what the admin typed', () => {
  expect(['us', 'USA', '', 'U'].map(isSupportedCountry)).toEqual([false, false, false, false]);
});
