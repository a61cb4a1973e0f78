/** How the outside party of a call is named in the texts: by the matched card, else by number. */
import type { CallEvent } from '../feed/types';
import type { LookupResult } from '../lookup/types';
import { displayName } from '../lookup/display-name';
import type { NotifyStrings } from './strings';

/** Longest raw PBX value shown; anything longer is not a phone number anyone reads. */
const RAW_MAX = 64;

/** Plain (unescaped) text. */
export function partyNumber(call: CallEvent, lookup: LookupResult | null, strings: NotifyStrings): string {
  if (lookup?.kind === 'internal') return lookup.extension;
  if (lookup?.kind === 'invalid') return rawNumber(lookup.raw, strings);
  return (lookup && (lookup.number.international || lookup.number.e164)) || rawNumber(call.phone, strings);
}

export function partyName(call: CallEvent, lookup: LookupResult | null, strings: NotifyStrings): string {
  if (lookup?.kind === 'found') {
    const holder = lookup.entity.type === 'lead' || lookup.entity.type === 'customer' ? lookup.phoneEntity : undefined;
    const name = (holder?.name ?? lookup.entity.name).trim();
    if (name !== '') return name;
  }
  return partyNumber(call, lookup, strings);
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
