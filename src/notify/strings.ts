/**
 * The notifier's texts: the i18n `notify` section as a typed object. Templates carry
 * `{{placeholders}}` (the project's i18n style); they are ours (trusted), the values put into them are not.
 */
import { stringsFrom } from '../core/template';

export interface NotifyStrings {
  /** Pop-up header, inbound: `{{number}}` (or the internal party, or the hidden number). */
  incoming_header: string;
  /** Pop-up header, outbound: `{{number}}` likewise. */
  outgoing_header: string;
  /** Pop-up text, outbound: `{{target}}` is the matched card's name link. */
  dialing: string;
  unknown_number: string;
  create_contact: string;
  /** The lookup failed for good: a 5xx, no connection, an answer that is not Kommo's. */
  lookup_failed: string;
  /** The lookup did not answer in time (a timeout): the CRM is slow, not broken. */
  lookup_slow: string;
  /** Kommo answered 429: too many lookups at once. */
  lookup_busy: string;
  /** Kommo answered 401/403: this user may not search by phone. */
  lookup_forbidden: string;
  /** The PBX sent something that is not a phone number. */
  invalid_number: string;
  /** Stands in for the number when the PBX sent none. */
  hidden_number: string;
  /** Pop-up text when the PBX sent no number (the header already says "hidden number"). */
  hidden_text: string;
  /** How a 1-4 digit party is named everywhere (headers, completed notifications): `{{extension}}`. */
  internal_party: string;
  /** Pop-up text for an internal call (the header names the extension). */
  internal_call: string;
  type_contact: string;
  type_lead: string;
  type_company: string;
  type_customer: string;
  /** Completed notifications: `{{party}}` the outside party, `{{duration}}` m:ss. */
  done_incoming: string;
  done_outgoing: string;
  done_missed: string;
  /** Inbound, a colleague answered (a ring group, version 2). */
  done_answered_elsewhere: string;
  done_no_answer: string;
  done_busy: string;
  /** The pop-up of an inbound call nobody answered: `{{number}}`. */
  missed_header: string;
  /** The link that dials the other party (click-to-call). */
  call_back: string;
}

export const ENGLISH_NOTIFY_STRINGS: Readonly<NotifyStrings> = Object.freeze({
  incoming_header: 'Incoming call: {{number}}',
  outgoing_header: 'Outgoing call: {{number}}',
  dialing: 'Dialing {{target}}',
  unknown_number: 'Unknown number',
  create_contact: 'Create contact',
  lookup_failed: 'Could not look up the caller',
  lookup_slow: 'The CRM is slow: the caller could not be looked up in time',
  lookup_busy: 'The CRM is busy (too many lookups at once): the caller could not be looked up',
  lookup_forbidden: 'The CRM refused the lookup: your access rights do not allow searching by phone',
  invalid_number: 'Not a valid phone number',
  hidden_number: 'hidden number',
  hidden_text: 'The number is withheld',
  internal_party: 'extension {{extension}}',
  internal_call: 'Internal call',
  type_contact: 'Contact',
  type_lead: 'Lead',
  type_company: 'Company',
  type_customer: 'Customer',
  done_incoming: 'Incoming call from {{party}}, {{duration}}',
  done_outgoing: 'Outgoing call to {{party}}, {{duration}}',
  done_missed: 'Missed call from {{party}}',
  done_answered_elsewhere: 'Call from {{party}} answered by a colleague',
  done_no_answer: 'Outgoing call to {{party}}, no answer',
  done_busy: 'Outgoing call to {{party}}, line busy',
  missed_header: 'Missed call: {{number}}',
  call_back: 'Call back',
});

export const NOTIFY_STRING_KEYS = Object.keys(ENGLISH_NOTIFY_STRINGS) as (keyof NotifyStrings)[];

/** From `this.i18n('notify')`: any key missing, empty or not a string falls back to English. */
export function notifyStringsFrom(section: Record<string, unknown> | undefined): NotifyStrings {
  return stringsFrom(ENGLISH_NOTIFY_STRINGS, section);
}
