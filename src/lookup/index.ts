/**
 * Caller ID: the public surface. `createCallerLookup(...).findByNumber(raw)` turns what the PBX
 * sent into a LookupResult (found / not_found / failed / internal / invalid) and never throws.
 */
export type { CallerLookup, LookupResult, CrmEntity, NormalizedNumber, EntityType } from './types';
export { normalizeNumber } from './normalize';
export type { NormalizeResult } from './normalize';
export { cardPath, cardUrl, isCardId, newContactUrl } from './card-url';
export { storedNumber } from './stored-number';
export { lookupFailure } from './failure';
export type { LookupFailure } from './failure';
export { createCallerLookup } from './caller-lookup';
export type { CallerLookupDeps } from './caller-lookup-options';
