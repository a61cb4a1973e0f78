/**
 * The ringing pop-up (`APP.notifications.show_notification`,
 * https://developers.kommo.com/docs/call-notification): pure text building.
 * `header` and `text` are HTML with every CRM/PBX value escaped. The header names the other
 * party's number (or extension, or "hidden number"); the text says what the header does not
 * (the card, "unknown", why the lookup failed), so no variant shows the number twice.
 * Kommo's API has no way to close a pop-up once shown: Kommo hides it in its own time.
 */
import type { CallEvent } from '../feed/types';
import type { CrmEntity, LookupResult } from '../lookup/types';
import type { LookupFailure } from '../lookup/failure';
import type { CallPopup } from './types';
import type { NotifyStrings } from './strings';
import { escapeHtml } from '../core/html';
import { fillEscaped, fillHtml } from '../core/template';
import { lookupFailure, newContactUrl } from '../lookup';
import { entityLink, navigateLink } from './links';
import { callBackLink } from './call-back';
import { isHiddenNumber, partyLabel, unixSeconds } from './party';

/** What the pop-up says for each kind of failed lookup: a slow CRM is not a broken one. */
const FAILURE_TEXT: Record<LookupFailure, keyof NotifyStrings> = {
  slow: 'lookup_slow',
  busy: 'lookup_busy',
  forbidden: 'lookup_forbidden',
  error: 'lookup_failed',
};

function typeLabel(entity: CrmEntity, strings: NotifyStrings): string {
  return escapeHtml(strings[`type_${entity.type}`] ?? '');
}

/** A contact/company: its name linked. A lead/customer: labelled, plus the contact/company it hangs on. */
function foundLines(lookup: Extract<LookupResult, { kind: 'found' }>, strings: NotifyStrings): string[] {
  const { entity, phoneEntity } = lookup;
  if (entity.type === 'contact' || entity.type === 'company') return [entityLink(entity)];
  const lines = [`${typeLabel(entity, strings)}: ${entityLink(entity)}`];
  if (phoneEntity) lines.push(`${typeLabel(phoneEntity, strings)}: ${entityLink(phoneEntity)}`);
  return lines;
}

/** The text's lines (HTML). `lookup` null: no answer within the pop-up's budget (the CRM was slow), or `rejected`. */
function ringingLines(call: CallEvent, lookup: LookupResult | null, strings: NotifyStrings, rejected: boolean): string[] {
  const say = (key: keyof NotifyStrings) => escapeHtml(strings[key]);
  if (lookup === null) return [say(isHiddenNumber(call.phone) ? 'hidden_text' : rejected ? 'lookup_failed' : 'lookup_slow')];
  switch (lookup.kind) {
    case 'found': {
      const lines = foundLines(lookup, strings);
      if (call.direction === 'inbound') return lines;
      const [first = '', ...more] = lines;
      return [fillHtml(strings.dialing, { target: first }), ...more];
    }
    case 'not_found':
      return [say('unknown_number'), navigateLink(newContactUrl(lookup.number), say('create_contact'))];
    case 'failed':
      return [say(FAILURE_TEXT[lookupFailure(lookup.error)])];
    case 'internal':
      return [say('internal_call')];
    case 'invalid':
      // Nothing sent at all is a hidden number, not an invalid one.
      return [say(isHiddenNumber(lookup.raw) ? 'hidden_text' : 'invalid_number')];
  }
}

/**
 * `lookup` null: the lookup did not answer within the pop-up's budget; the pop-up says the CRM
 * is slow rather than come late. With `rejected` it did answer, with a rejection (a bug): the
 * lookup failed.
 */
export function buildPopup(call: CallEvent, lookup: LookupResult | null, strings: NotifyStrings, rejected = false): CallPopup {
  const template = call.direction === 'inbound' ? strings.incoming_header : strings.outgoing_header;
  const header = fillEscaped(template, { number: partyLabel(call, lookup, strings) });
  return { callId: call.callId, header, text: ringingLines(call, lookup, strings, rejected).join('<br>'), date: unixSeconds(call.at) };
}

/**
 * The pop-up of an inbound call that rang out unanswered: who called, and "Call back". Its
 * `callId` is the call's with `:missed`, so the tab layer shows it once, beside the ringing one.
 */
export function buildMissedPopup(call: CallEvent, lookup: LookupResult | null, strings: NotifyStrings): CallPopup {
  const found = lookup?.kind === 'found' ? foundLines(lookup, strings) : [];
  const callBack = callBackLink(call, lookup, strings);
  const lines = [...found, ...(callBack === '' ? [] : [callBack])];
  // Nothing to link or dial: say why rather than leave the text empty.
  if (lines.length === 0 && lookup?.kind === 'invalid') lines.push(escapeHtml(strings[isHiddenNumber(lookup.raw) ? 'hidden_text' : 'invalid_number']));
  const header = fillEscaped(strings.missed_header, { number: partyLabel(call, lookup, strings) });
  return { callId: `${call.callId}:missed`, header, text: lines.join('<br>'), date: unixSeconds(call.at) };
}
