/**
 * The one place the sandbox imports the simulated CRM (scripts/crm) and the reference relay
 * (relay/) from, so their surfaces are named once.
 */
import { createSeedAccount } from '../crm';
import type { CrmAccount } from '../crm';

export { createCrm, DEFAULT_API_TOKEN, listenCrm } from '../crm';
export type { Crm, CrmFaults } from '../crm';
export { createHttpAdapter, createRelay } from '../../relay/src';
export { createKommoApi } from '../../relay/src/kommo/client';
export { parseUnknownCallers, DEFAULT_UNKNOWN_CALLERS } from '../../relay/src/calllog/unknown-callers';
export { MemoryOutbox } from '../../relay/src/calllog/memory-outbox';
export type { Relay, RelayOptions } from '../../relay/src';
export type CrmSeed = CrmAccount;

export const defaultSeed: CrmAccount = createSeedAccount();
