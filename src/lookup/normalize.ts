/**
 * Phone number normalisation: what the PBX sent -> one canonical number (or "internal" / "invalid").
 *
 * Library: libphonenumber-js with its `min` metadata (`libphonenumber-js/min`). Why this one:
 * - it is the maintained JavaScript port of Google's libphonenumber (frequent releases, metadata
 *   refreshed from Google's), typed, with no dependencies;
 * - it knows every country's national trunk prefix (`8` in Russia, `0` in the UK/Germany, `1` in
 *   NANP) and international call prefixes (`00`, `011`, `810`), which a regular expression cannot;
 * - `min` metadata validates by length only (not by digit patterns) and has no number types: we
 *   need neither (by_phone compares the last 7 digits anyway), and it is the smallest set; `max`
 *   adds ~65 kB of metadata for type detection we do not use, and Google's own JS build
 *   (google-libphonenumber, with the Closure library) is several times larger again.
 * Size in script.js, measured by `npx tsx scripts/bench/lookup.ts` (normalize.ts bundled with
 * the project's webpack config, with minus without the library): about 32.7 kB gzip (-9),
 * 163 kB raw in our readable, unmangled build (libphonenumber-js 1.13). It is the bulk of the
 * widget's bundle, and the price of correct numbers in every country the widget ships for.
 *
 * Rules (the PBX sends anything from `+1 (830) 580-30-77` to `8 495 123 45 67` to `101`):
 * - separators are dropped: spaces (incl. no-break), dashes (incl. Unicode dashes), dots,
 *   brackets, slashes; a leading `tel:` is dropped too;
 * - a leading `+` or `00` means international; the library also understands the default region's
 *   own international prefix (`011` from the US, `810` from Russia);
 * - without one, the `country` setting is the default region, so national numbers with or
 *   without the trunk prefix work. Digits that are not a valid number of the default region are
 *   NOT read as another country's (`84951234567`, Moscow with the trunk `8`, with country US is
 *   not Vietnam's `+84 951 234 567`): they stay the digits as sent (`hasCountry` false), shown
 *   so and looked up by digits (by_phone matches the last 7), and click-to-call asks for the
 *   country code. Without a country setting (or an unknown one) there is no region to read
 *   them in, so bare digits are never a number of some country either: `84951234567` is shown
 *   as `84951234567`, not Vietnam's `+84 951 234 567`; only `+`/`00` names a country;
 * - 1 to 4 digits without `+` are an internal extension: no lookup;
 * - anything else (letters, a `+` inside, nothing, more digits than any numbering plan) is
 *   `invalid`. This function never throws.
 */
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/min';
import { MAX_EXTENSION_DIGITS, internalExtension, stripPhoneSeparators } from '../protocol/phone';
import type { NormalizedNumber } from './types';

export type NormalizeResult =
  | { kind: 'number'; number: NormalizedNumber }
  | { kind: 'internal'; extension: string }
  | { kind: 'invalid'; raw: string };

// The internal-extension rule (1 to 4 digits) lives in src/protocol/phone.ts: the relay's call log uses it too.

/** E.164 allows 15 digits; `00` in front makes 17. More is not a phone number. */
const MAX_E164_DIGITS = 15;
const MAX_RAW_DIGITS = MAX_E164_DIGITS + 2;
/** Longer input is rejected before any work (a 10 kB "number" must not cost anything). */
const MAX_RAW_LENGTH = 64;

export function normalizeNumber(raw: string, country?: string): NormalizeResult {
  const invalid = (): NormalizeResult => ({ kind: 'invalid', raw: typeof raw === 'string' ? raw : String(raw) });
  if (typeof raw !== 'string' || raw.length > MAX_RAW_LENGTH) return invalid();

  const extension = internalExtension(raw);
  if (extension !== null) return { kind: 'internal', extension };

  let s = stripPhoneSeparators(raw);
  let international = false;
  if (s.startsWith('+')) {
    international = true;
    s = s.slice(1);
  }
  if (!/^\d+$/.test(s)) return invalid();

  if (!international && s.startsWith('00')) {
    international = true;
    s = s.slice(2);
  }
  if (s.length > MAX_RAW_DIGITS || (international && (s.length <= MAX_EXTENSION_DIGITS || s.length > MAX_E164_DIGITS))) {
    return invalid();
  }

  const placed = place(s, international, defaultRegion(country));
  if (placed) {
    return {
      kind: 'number',
      number: { raw, e164: placed.number, international: placed.formatInternational(), digits: placed.number.slice(1), hasCountry: true },
    };
  }
  // The library could not place it (unknown plan, short local number, not a number of the
  // default region): keep the digits, which is all by_phone looks at anyway (its last seven).
  // Sent with `+`/`00` they keep it; otherwise they are shown as sent, with no `+` that would
  // make them another country's.
  if (s.length > MAX_E164_DIGITS) return invalid();
  return { kind: 'number', number: { raw, e164: `+${s}`, international: international ? `+${s}` : s, digits: s, hasCountry: international } };
}

/** The `country` setting as a region the library knows, else none. */
function defaultRegion(country: string | undefined): CountryCode | undefined {
  if (typeof country !== 'string') return undefined;
  const code = country.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code) ? (code as CountryCode) : undefined;
}

/**
 * The one valid reading: international digits when sent so, else national in the default region
 * (the library also strips the region's own international prefix, `011`, `810`). Bare digits
 * without a default region have no reading: taking them as international would invent a `+`
 * (and often a foreign country). A merely "possible" reading is not
 * used: for those the library may drop digits (`+610000000` reads as `+61000000`, a trunk `0`
 * after the country code), so the raw digits are the safer answer.
 */
function place(digits: string, international: boolean, region: CountryCode | undefined): PhoneNumber | undefined {
  if (!international && !region) return undefined;
  const reading = international ? parse(`+${digits}`) : parse(digits, region);
  return reading?.isValid() ? reading : undefined;
}

function parse(text: string, region?: CountryCode): PhoneNumber | undefined {
  try {
    return parsePhoneNumberFromString(text, region);
  } catch {
    // parsePhoneNumberFromString is documented not to throw; guard anyway, the page must never see it.
    return undefined;
  }
}
