/**
 * The notifier's texts: the i18n `notify` section as a typed object. Templates carry
 * `{{placeholders}}` (the project's i18n style); they are ours (trusted), the values put into them are not.
 */
import { stringsFrom } from '../core/template';

export interface NotifyStrings {
  /** Pop-up header, inbound: `{{number}}`. */
  incoming_header: string;
  /** Pop-up header, outbound. */
  outgoing_header: string;
  /** Pop-up header for a 1-4 digit number: `{{extension}}`. */
  internal_header: string;
  /** Pop-up text, outbound: `{{target}}` is the name link or the number. */
  dialing: string;
  unknown_number: string;
  create_contact: string;
  lookup_failed: string;
  /** The PBX sent something that is not a phone number. */
  invalid_number: string;
  /** Stands in for the number when the PBX sent none. */
  hidden_number: string;
  /** Pop-up text for an internal call: `{{extension}}`. */
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
  outgoing_header: 'Outgoing call',
  internal_header: 'Internal number: {{extension}}',
  dialing: 'Dialing {{target}}',
  unknown_number: 'Unknown number',
  create_contact: 'Create contact',
  lookup_failed: 'Could not look up the caller',
  invalid_number: 'Not a valid phone number',
  hidden_number: 'hidden number',
  internal_call: 'Extension {{extension}}',
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
