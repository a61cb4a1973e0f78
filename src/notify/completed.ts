/**
 * The completed-call notification (`APP.notifications.add_call`,
 * https://developers.kommo.com/docs/call-notification): pure text building.
 * Whether Kommo renders `text`/`from`/`to` as HTML is not documented (its own example puts a
 * link in `text`), so every string field is escaped HTML: a stray `&amp;` beats a script.
 * `duration` is optional in add_call ("providing the duration ... if available"): a call nobody
 * talked on (missed, busy, unanswered, answered by a colleague, 0 s) goes without one, so the
 * notification centre shows no "0:00".
 */
import type { CallEvent } from '../feed/types';
import type { LookupResult } from '../lookup/types';
import type { CompletedCall } from './types';
import type { NotifyStrings } from './strings';
import { escapeHtml } from '../core/html';
import { fillEscaped } from '../core/template';
import { formatDuration } from './duration';
import { callElement, safeRecordingUrl } from './links';
import { callBackLink } from './call-back';
import { partyName, unixSeconds } from './party';

type CallOutcome = 'answered' | 'answered_elsewhere' | 'missed' | 'busy' | 'no_answer';

/**
 * What happened, from the ended event. Inbound anything but answered is missed, except a call a
 * colleague answered (protocol version 2): that is not this employee's missed call. Outbound
 * distinguishes busy from no answer. No result and no talk time means nobody talked.
 */
export function callOutcome(call: CallEvent): CallOutcome {
  const talked = typeof call.duration === 'number' && call.duration > 0;
  const result = call.result ?? (talked ? 'answered' : 'missed');
  if (result === 'answered' || result === 'answered_elsewhere') return result;
  if (call.direction === 'inbound') return 'missed';
  return result === 'busy' ? 'busy' : 'no_answer';
}

function templateFor(call: CallEvent, outcome: CallOutcome, strings: NotifyStrings): string {
  if (outcome !== 'answered') return strings[`done_${outcome}` as const];
  return call.direction === 'inbound' ? strings.done_incoming : strings.done_outgoing;
}

/**
 * `lookup` null: the lookup never answered; the party is then named by the raw number and
 * the notification gets no element. `manager.extension` is the extension the call rang on.
 */
export function buildCompletedCall(
  call: CallEvent,
  lookup: LookupResult | null,
  manager: { name?: string; extension: string },
  strings: NotifyStrings,
  locale: string,
): CompletedCall {
  const outcome = callOutcome(call);
  const duration = outcome === 'answered' && typeof call.duration === 'number' && Number.isFinite(call.duration) && call.duration > 0 ? Math.floor(call.duration) : 0;
  const party = partyName(call, lookup, strings);
  // `from`/`to` carry numbers as Kommo's docs show them: an internal party's bare extension, like the manager's.
  const counterpart = lookup?.kind === 'internal' ? lookup.extension : party;
  const managerLabel = (typeof manager.name === 'string' && manager.name.trim() !== '' ? manager.name.trim() : manager.extension) || call.extension;
  const inbound = call.direction === 'inbound';
  const callBack = callBackLink(call, lookup, strings);
  const completed: CompletedCall = {
    callId: call.callId,
    text: fillEscaped(templateFor(call, outcome, strings), { party, duration: formatDuration(duration, locale) }) + (callBack === '' ? '' : `<br>${callBack}`),
    date: unixSeconds(call.at),
    from: escapeHtml(inbound ? counterpart : managerLabel),
    to: escapeHtml(inbound ? managerLabel : counterpart),
  };
  if (duration > 0) completed.duration = duration;
  const link = safeRecordingUrl(call.recordingUrl);
  if (link !== undefined) completed.link = link;
  const element = callElement(lookup);
  if (element !== undefined) completed.element = element;
  return completed;
}
