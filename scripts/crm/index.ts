/** The fixture CRM: what the sandbox server and the tests import. */
export type { CrmAccount, CrmDeal, CrmPerson, CrmUser } from './account';
export { searchByPhone, matchCallEvent, matchPhone } from './by-phone-algorithm';
export type { ByPhoneBody, ByPhoneItem } from './by-phone-algorithm';
export { createCrm, listenCrm, startCrmServer, DEFAULT_ACCOUNT_ID, DEFAULT_API_TOKEN } from './crm-server';
export type { Crm, CrmFaults, CrmOptions, CrmRequest } from './crm-server';
export { createSeedAccount, SEED_NUMBERS, SEED_USERS } from './seed';
export { CARD_TYPES, timelineKey } from './timeline';
export type { CardType, CallNote, TaskNote, TaskCompletedNote, TimelineNote } from './timeline';
export { KOMMO_MAX_PER_SECOND } from './v4-gate';
export type { RateLimitFault } from './v4-gate';
export type { CrmCall, CrmTask, CrmUnsorted } from './v4-state';
export { usersOf } from './v4-users';
