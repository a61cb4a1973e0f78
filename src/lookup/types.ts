/** Caller ID: what `findByNumber` answers. "Not found" is a result, not an error. */
import type { WidgetError } from '../core/errors';

export type EntityType = 'contact' | 'lead' | 'company' | 'customer';

export interface CrmEntity {
  id: number;
  type: EntityType;
  /** Never empty: an unnamed lead/customer gets "Lead #ID" in the user's language. */
  name: string;
  /** The card's path on the account's origin, e.g. `/contacts/detail/42`. Built from the numeric id only. */
  url: string;
  responsibleUserId?: number;
}

export interface NormalizedNumber {
  /** What the PBX sent. */
  raw: string;
  /**
   * E.164 (`+18305803077`) when the library could place it, else `+` and the digits. Without
   * `hasCountry` it is only the number's identity (the cache key): never dial or store it.
   */
  e164: string;
  /** Display form: international (`+1 830 580 3077`), or the digits as sent without `hasCountry` (`84951234567`). */
  international: string;
  /** Digits only, what by_phone is sent (`18305803077`). */
  digits: string;
  /**
   * The number names its country: sent with an international prefix, valid in the default
   * country, or (no default country) valid as an international number. False: no country is
   * assumed (`84951234567` with country US is not Vietnam's `+84...`), the digits are as sent.
   */
  hasCountry: boolean;
}

export type LookupResult =
  /** A card matched. For a lead/customer, `phoneEntity` is the contact/company holding the number. */
  | { kind: 'found'; number: NormalizedNumber; entity: CrmEntity; phoneEntity?: CrmEntity }
  | { kind: 'not_found'; number: NormalizedNumber }
  /** The lookup could not answer (rights, rate limit, server, timeout; `lookupFailure(error)` names which); the caller may well exist. */
  | { kind: 'failed'; number: NormalizedNumber; error: WidgetError }
  /** 1 to 4 digits: an internal extension; no lookup. */
  | { kind: 'internal'; extension: string }
  /** Not a phone number at all (letters, empty, absurd length). */
  | { kind: 'invalid'; raw: string };

export interface CallerLookup {
  /**
   * What findByNumber would answer without waiting (a caller cached or remembered, an extension,
   * not a number), now and synchronously; undefined: ask findByNumber. Optional: a lookup
   * without it is always asked.
   */
  peek?(raw: string): LookupResult | undefined;
  findByNumber(raw: string): Promise<LookupResult>;
  dispose(): void;
}
