/** The settings modal's call log block: the i18n `call_log` section as a typed object (plain text, filled by fillTemplate). */
import { stringsFrom } from '../core/template';

export interface CallLogStrings {
  title: string;
  title_problem: string;
  checking: string;
  /** The relay answers, and logs calls, and nothing failed. */
  ok: string;
  ok_none_yet: string;
  off: string;
  /** A relay from before the call log (404). */
  unsupported: string;
  unauthorized: string;
  refused: string;
  retrying: string;
  unreachable: string;
  signin_refused: string;
  bad_answer: string;
}

export const ENGLISH_CALL_LOG_STRINGS: Readonly<CallLogStrings> = Object.freeze({
  title: 'Calls on the cards',
  title_problem: 'Calls on the cards: a problem',
  checking: 'Asking the relay whether it logs calls on the cards…',
  ok: 'The relay logs every call on the customer\'s card. Last call logged {{minutes}} min ago.',
  ok_none_yet: 'The relay logs every call on the customer\'s card. No call logged since it started.',
  off: 'The relay does not log calls on the cards: give it a Kommo API token (--kommo-api-token, docs/call-log.md). Calls still appear under the bell.',
  unsupported: 'This relay cannot log calls on the cards (it is older than the call log). Calls still appear under the bell.',
  unauthorized: 'Kommo refused the relay\'s API token, so no call reaches the cards. Create a new token for the private integration and restart the relay with it; the waiting calls ({{pending}}) are logged then.',
  refused: 'Kommo refused {{failed}} call log writes: {{reason}}. They are kept in the relay\'s outbox (see its /health).',
  retrying: 'Kommo does not take the calls right now ({{reason}}); {{pending}} waiting, retried automatically.',
  unreachable: 'Could not ask the relay about the call log (no answer).',
  signin_refused: 'The relay refused your Kommo sign-in, so it cannot say whether it logs calls.',
  bad_answer: 'The relay\'s answer about the call log cannot be read (answer {{status}}).',
});

export function callLogStringsFrom(section: Record<string, unknown> | undefined): CallLogStrings {
  return stringsFrom(ENGLISH_CALL_LOG_STRINGS, section);
}
