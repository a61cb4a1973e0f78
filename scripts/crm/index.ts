/** The fixture CRM: what the sandbox server and the tests import. */
export type { CrmAccount, CrmDeal, CrmPerson } from './account';
export { searchByPhone, matchCallEvent, matchPhone } from './by-phone-algorithm';
export type { ByPhoneBody, ByPhoneItem } from './by-phone-algorithm';
export { createCrm, startCrmServer } from './crm-server';
export type { Crm, CrmFaults, CrmRequest } from './crm-server';
export { createSeedAccount, SEED_NUMBERS, SEED_USERS } from './seed';
