/** The dialer's texts: the i18n `dial` section as a typed object (plain text; values are escaped when filled). */
import { stringsFrom } from '../core/template';

export interface DialStrings {
  /** The header of every dialer message: `{{number}}` as the user will see it dialled. */
  header: string;
  /** At once, before the relay answers. */
  calling: string;
  calling_from: string;
  not_a_number: string;
  /** Digits that are no number of the account's default country, typed without a country code: `{{number}}` as typed. */
  needs_country_code: string;
  no_extension: string;
  forbidden_extension: string;
  signin_refused: string;
  disabled: string;
  rate_limited: string;
  busy: string;
  unknown_extension: string;
  not_allowed: string;
  pbx_refused: string;
  pbx_unreachable: string;
  relay_unreachable: string;
  failed: string;
  /** A second call while the first is still being started. */
  still_starting: string;
  /** The widget is not running (settings missing or wrong). */
  not_running: string;
  /** leader.js could not be fetched (script.js reads this one itself). */
  load_failed: string;
  /** The dialer's own form. */
  dialer_title: string;
  dialer_placeholder: string;
  dialer_call: string;
}

export const ENGLISH_DIAL_STRINGS: Readonly<DialStrings> = Object.freeze({
  header: 'Call {{number}}',
  calling: 'Calling {{number}}...',
  calling_from: 'Calling {{number}} from your phone ({{extension}})...',
  not_a_number: '"{{number}}" is not a phone number.',
  needs_country_code: '"{{number}}" is not a number of the account\'s default country. Type it with its country code, starting with + (e.g. +7 495 123 45 67).',
  no_extension: 'You have no phone extension. Ask your Kommo admin to give you one in the relay\'s users file.',
  forbidden_extension: 'Extension {{extension}} is not yours on the relay. Ask your Kommo admin to check the relay\'s users file.',
  signin_refused: 'The phone relay did not accept your Kommo sign-in. Ask your Kommo admin to check its settings.',
  disabled: 'Calls from Kommo are not set up on the phone relay. Ask your Kommo admin (relay: --originate-url).',
  rate_limited: 'You have just started a call. Try again in {{seconds}} s.',
  busy: 'Your phone ({{extension}}) is busy. Hang up, then try again.',
  unknown_extension: 'The phone system does not know your extension ({{extension}}). Ask your Kommo admin.',
  not_allowed: 'The phone system does not allow calls to {{number}}.',
  pbx_refused: 'The phone system refused the call: {{reason}}',
  pbx_unreachable: 'The phone system did not answer. Try again in a moment.',
  relay_unreachable: 'The phone relay cannot be reached. Check your connection, then try again.',
  failed: 'The call could not be started (the relay answered {{status}}).',
  still_starting: 'Still starting your previous call. Try again in a moment.',
  not_running: 'Calls are off: the telephony widget\'s settings are missing or wrong. Ask your Kommo admin.',
  load_failed: 'The call could not be started: check your connection, then try again.',
  dialer_title: 'Call a number',
  dialer_placeholder: 'Phone number',
  dialer_call: 'Call',
});

export function dialStringsFrom(section: Record<string, unknown> | undefined): DialStrings {
  return stringsFrom(ENGLISH_DIAL_STRINGS, section);
}
