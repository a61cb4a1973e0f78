/** Shared test data for the notify tests: calls, lookup results, a recording sink. */
import type { CallEvent } from '../../../src/feed/types';
import type { CrmEntity, LookupResult, NormalizedNumber } from '../../../src/lookup/types';
import type { CallPopup, CompletedCall, NotificationSink } from '../../../src/notify/types';
import { HttpError } from '../../../src/core/errors';
import type { WidgetError } from '../../../src/core/errors';

export const AT_MS = Date.UTC(2026, 10, 21, 12, 0, 0);

export function callEvent(overrides: Partial<CallEvent> = {}): CallEvent {
  return {
    callId: 'c1',
    state: 'ringing',
    direction: 'inbound',
    phone: '+1 (830) 580-3077',
    extension: '101',
    at: AT_MS,
    ...overrides,
  };
}

export const NUMBER: NormalizedNumber = {
  raw: '+1 (830) 580-3077',
  e164: '+18305803077',
  international: '+1 830 580 3077',
  digits: '18305803077',
  hasCountry: true,
};

export function entity(type: CrmEntity['type'], id: number, name: string): CrmEntity {
  const section = { contact: 'contacts', lead: 'leads', company: 'companies', customer: 'customers' }[type];
  return { id, type, name, url: `/${section}/detail/${id}` };
}

export const found = (e: CrmEntity, phoneEntity?: CrmEntity, number: NormalizedNumber = NUMBER): LookupResult =>
  phoneEntity ? { kind: 'found', number, entity: e, phoneEntity } : { kind: 'found', number, entity: e };
export const notFound = (number: NormalizedNumber = NUMBER): LookupResult => ({ kind: 'not_found', number });
export const failed = (number: NormalizedNumber = NUMBER, error: WidgetError = new HttpError(429, 'GET', '/api/v2/search/by_phone')): LookupResult => ({
  kind: 'failed',
  number,
  error,
});
export const internal = (extension: string): LookupResult => ({ kind: 'internal', extension });
export const invalid = (raw: string): LookupResult => ({ kind: 'invalid', raw });

export interface RecordingSink extends NotificationSink {
  popups: CallPopup[];
  calls: CompletedCall[];
}

export function recordingSink(): RecordingSink {
  const popups: CallPopup[] = [];
  const calls: CompletedCall[] = [];
  return { popups, calls, showPopup: (p) => void popups.push(p), addCall: (c) => void calls.push(c) };
}

/** Anchors in an HTML fragment, parsed without a DOM: [href, class, label]. */
export function anchors(html: string): { href: string; cls: string; label: string }[] {
  return [...html.matchAll(/<a href="([^"]*)" class="([^"]*)">(.*?)<\/a>/g)].map((m) => ({ href: m[1] ?? '', cls: m[2] ?? '', label: m[3] ?? '' }));
}

/** The "Call back" link a completed notification ends with (src/notify/call-back.ts). */
export const CALL_BACK = (number: string) => `<br><a href="#" class="js-telephony-dial" data-telephony-dial="${number}">Call back</a>`;
