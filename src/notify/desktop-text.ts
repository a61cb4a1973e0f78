/**
 * What the desktop notification says and where its click leads: pure. It names the caller as the
 * pop-up does (the matched card, else the number) and opens the pop-up's first link: the card, or
 * "create contact" for a number nobody has.
 */
import type { CallEvent } from '../feed/types';
import type { LookupResult } from '../lookup/types';
import { cardPath, newContactUrl } from '../lookup/card-url';
import { fillTemplate } from '../core/template';
import type { DesktopNote } from './desktop-types';
import type { DesktopStrings } from './desktop-strings';
import type { NotifyStrings } from './strings';
import { partyName, partyNumber } from './party';

/** Tags are per origin: the widget's own prefix keeps them apart from anything else on Kommo's pages. */
export const desktopTag = (callId: string): string => `kommo-telephony:${callId}`;

/** "Incoming call: Adam Noah", the number under it; without a card the title names the number (not twice). */
export function desktopNote(call: CallEvent, lookup: LookupResult | null, strings: DesktopStrings, notify: NotifyStrings): DesktopNote {
  const name = partyName(call, lookup, notify);
  const number = lookup?.kind === 'found' ? partyNumber(call, lookup, notify) : name;
  return { title: fillTemplate(strings.incoming, { name }), body: number === name ? '' : number, tag: desktopTag(call.callId) };
}

/** The in-app path the click opens; null: no card (a failed lookup, an extension, no number). */
export function desktopCardPath(lookup: LookupResult | null): string | null {
  if (lookup?.kind === 'found') return cardPath(lookup.entity.type, lookup.entity.id);
  if (lookup?.kind === 'not_found') return newContactUrl(lookup.number);
  return null;
}
