/**
 * The ringing pop-up (`APP.notifications.show_notification`,
 * https://developers.kommo.com/docs/call-notification): pure text building.
 * `header` and `text` are HTML with every CRM/PBX value escaped.
 */
import type { CallEvent } from '../feed/types';
import type { CrmEntity, LookupResult } from '../lookup/types';
import type { CallPopup } from './types';
import type { NotifyStrings } from './strings';
import { escapeHtml } from '../core/html';
import { fillEscaped, fillHtml } from '../core/template';
import { newContactUrl } from '../lookup';
import { entityLink, navigateLink } from './links';
import { callBackLink } from './call-back';
import { partyNumber, unixSeconds } from './party';

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

/**
 * `lookup` null: the lookup did not answer within the pop-up's budget; the pop-up shows the
 * number alone rather than come late.
 */
export function buildPopup(call: CallEvent, lookup: LookupResult | null, strings: NotifyStrings): CallPopup {
  const inbound = call.direction === 'inbound';
  const number = partyNumber(call, lookup, strings);
  const say = (key: keyof NotifyStrings) => escapeHtml(strings[key]);
  let header = fillEscaped(inbound ? strings.incoming_header : strings.outgoing_header, { number });
  // `target` names the other party (first line); `rest` follows on lines of its own.
  let target: string | null = escapeHtml(number);
  let rest: string[] = [];
  switch (lookup?.kind) {
    case 'internal': {
      const extension = { extension: lookup.extension };
      header = fillEscaped(strings.internal_header, extension);
      if (inbound) [target, rest] = [null, [fillEscaped(strings.internal_call, extension)]];
      break;
    }
    case 'found': {
      const [first, ...more] = foundLines(lookup, strings);
      target = first ?? target;
      rest = more;
      break;
    }
    case 'not_found':
      if (inbound) target = null;
      rest = [say('unknown_number'), navigateLink(newContactUrl(lookup.number), say('create_contact'))];
      break;
    case 'failed':
      rest = [say('lookup_failed')];
      break;
    case 'invalid': {
      // Nothing sent at all is a hidden number, not an invalid one.
      const hidden = typeof lookup.raw !== 'string' || lookup.raw.trim() === '';
      if (!hidden) [target, rest] = [inbound ? null : target, [say('invalid_number')]];
    }
  }
  const lines = target === null ? rest : [inbound ? target : fillHtml(strings.dialing, { target }), ...rest];
  return { callId: call.callId, header, text: lines.join('<br>'), date: unixSeconds(call.at) };
}

/**
 * The pop-up of an inbound call that rang out unanswered: who called, and "Call back". Its
 * `callId` is the call's with `:missed`, so the tab layer shows it once, beside the ringing one.
 */
export function buildMissedPopup(call: CallEvent, lookup: LookupResult | null, strings: NotifyStrings): CallPopup {
  const number = partyNumber(call, lookup, strings);
  const found = lookup?.kind === 'found' ? foundLines(lookup, strings) : [];
  const callBack = callBackLink(call, lookup, strings);
  const lines = [...found, ...(callBack === '' ? [] : [callBack])];
  return { callId: `${call.callId}:missed`, header: fillEscaped(strings.missed_header, { number }), text: lines.join('<br>'), date: unixSeconds(call.at) };
}
