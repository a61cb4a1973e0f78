/** How the outside party of a call is named in the texts: by the matched card, else by number. */
import type { CallEvent } from '../feed/types';
import type { LookupResult } from '../lookup/types';
import { displayName } from '../lookup/display-name';
import { fillTemplate } from '../core/template';
import type { NotifyStrings } from './strings';

/** Longest raw PBX value shown; anything longer is not a phone number anyone reads. */
const RAW_MAX = 64;

/**
 * Plain (unescaped) text: the number as Kommo's `from`/`to` carry it. International when the
 * number names its country, else the digits as sent; an extension bare; "hidden number" for none.
 */
export function partyNumber(call: CallEvent, lookup: LookupResult | null, strings: NotifyStrings): string {
  if (lookup?.kind === 'internal') return lookup.extension;
  if (lookup?.kind === 'invalid') return rawNumber(lookup.raw, strings);
  return (lookup && (lookup.number.international || lookup.number.e164)) || rawNumber(call.phone, strings);
}

/** Plain text: the party as the headers and texts name it when no card does ("extension 102" for an internal one). */
export function partyLabel(call: CallEvent, lookup: LookupResult | null, strings: NotifyStrings): string {
  if (lookup?.kind === 'internal') return fillTemplate(strings.internal_party, { extension: lookup.extension });
  return partyNumber(call, lookup, strings);
}

export function partyName(call: CallEvent, lookup: LookupResult | null, strings: NotifyStrings): string {
  if (lookup?.kind === 'found') {
    const holder = lookup.entity.type === 'lead' || lookup.entity.type === 'customer' ? lookup.phoneEntity : undefined;
    const name = (holder?.name ?? lookup.entity.name).trim();
    if (name !== '') return name;
  }
  return partyLabel(call, lookup, strings);
}

/** The PBX sent no number at all (withheld caller ID), as opposed to one that is not a number. */
export function isHiddenNumber(raw: unknown): boolean {
  return typeof raw !== 'string' || raw.trim() === '';
}

/** A PBX may send anything as a "number": shown like a CRM name (no bidi controls), shorter. */
function rawNumber(raw: string, strings: NotifyStrings): string {
  const shown = typeof raw === 'string' ? displayName(raw, RAW_MAX) : '';
  return shown === '' ? strings.hidden_number : shown;
}

/** `at` is ms since the epoch; Kommo's `date` is unix seconds. */
export function unixSeconds(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
}
