/**
 * The one place the sandbox imports the simulated CRM (scripts/crm) and the reference relay
 * (relay/) from, so their surfaces are named once.
 */
import { createSeedAccount } from '../crm';
import type { CrmAccount } from '../crm';

export { createCrm } from '../crm';
export type { Crm, CrmFaults } from '../crm';
export { createHttpAdapter, createRelay } from '../../relay/src';
export type { Relay, RelayOptions } from '../../relay/src';
export type CrmSeed = CrmAccount;

export const defaultSeed: CrmAccount = createSeedAccount();
