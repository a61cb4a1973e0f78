/**
 * The one place the sandbox imports the simulated CRM (scripts/crm) and the reference relay
 * (relay/) from, so their surfaces are named once.
 */
import { createSeedAccount } from '../crm';
import type { CrmAccount } from '../crm';

export { createCrm, DEFAULT_API_TOKEN, listenCrm } from '../crm';
export type { Crm, CrmFaults } from '../crm';
export { createHttpAdapter, createKommoApi, createRelay, DEFAULT_UNKNOWN_CALLERS, MemoryOutbox, parseUnknownCallers } from '../../relay/src';
export type { PbxAdapter, PbxSource, Relay, RelayOptions } from '../../relay/src';
export type CrmSeed = CrmAccount;

export const defaultSeed: CrmAccount = createSeedAccount();
