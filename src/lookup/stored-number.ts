/**
 * The form of a number the widget hands on (a new contact's phone, "Call back", Kommo's call
 * event): E.164 when the number names its country, else the digits as sent. `e164` of a number
 * without a country is `+` and the digits, which would make `84951234567` (Moscow, sent with
 * the trunk `8`) Vietnam's `+84...` to whoever stores or dials it.
 */
import type { NormalizedNumber } from './types';

export function storedNumber(number: NormalizedNumber): string {
  return number.hasCountry ? number.e164 : number.digits;
}
