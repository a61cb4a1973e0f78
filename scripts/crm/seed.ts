/**
 * Sample account for the sandbox and the tests. Each entry exercises one rule of Kommo's phone
 * search (see by-phone-algorithm.ts); the comments say which and what by_phone answers.
 * `SEED_NUMBERS` names the numbers so tests and the sandbox's call CLI do not repeat them.
 */
import type { CrmAccount } from './account';

const DAY = 86_400;
const T0 = 1_700_000_000; // 2023-11-14

export const SEED_USERS = { manager: 8320148, sales: 8375357 } as const;

export const SEED_NUMBERS = {
  /** Contact "Adam Noah"; his only lead is closed, so the contact itself is returned. */
  adamNoah: '+1 830 580 3077',
  /** A different number with Adam's last 7 digits: by_phone matches it to Adam too. */
  adamNoahTail: '+1 212 580 3077',
  /** Company "Kommo", no deals: the company. */
  kommoCompany: '+1 830 570 3077',
  /** Company "Lama Company" with one active lead "First patch": the lead, phone_entity = the company. */
  lamaCompany: '+1 415 523 7743',
  /** Contacts "Olivia Smith" (older) and "Oliver Smith" share this number: Olivia. */
  sharedContacts: '+44 20 7946 0958',
  /** Company "Romashka LLC" and contact "Ivan Petrov" share this number: the company wins. */
  companyAndContact: '+7 495 123 45 67',
  /** Contact "Maria Garcia" with one unnamed customer: "Customer #3971". */
  unnamedCustomer: '+34 915 550 123',
  /** Contact "João Silva" with one unnamed active lead: "Lead #5102801". */
  unnamedLead: '+55 11 91234 5678',
  /** Contact "Ayşe Yılmaz" with two active leads: the contact. */
  twoActiveLeads: '+90 212 555 1234',
  /** Contact "Budi Santoso" with one active lead and one customer: the contact. */
  leadAndCustomer: '+62 21 5550 1234',
  /** Companies "Nord GmbH" (older) and "Nord Logistik" share it, each with one active lead: the oldest company. */
  sharedCompanies: '+49 30 9876 5432',
  /** Contact "Adam Noah"'s colleague "Eva Noah": one customer "Customer 2" (the docs' example). */
  customerContact: '+1 830 580 4000',
  /** Nobody. */
  unknown: '+1 202 555 0199',
} as const;

export function createSeedAccount(): CrmAccount {
  const { manager, sales } = SEED_USERS;
  return {
    contacts: [
      { id: 5760184, name: 'Adam Noah', phones: ['+1 (830) 580-3077'], createdAt: T0, responsibleUserId: manager },
      { id: 5760185, name: 'Eva Noah', phones: ['+18305804000'], createdAt: T0 + DAY, responsibleUserId: manager },
      { id: 5760190, name: 'Oliver Smith', phones: ['+44 20 7946 0958'], createdAt: T0 + 30 * DAY, responsibleUserId: sales },
      { id: 5760191, name: 'Olivia Smith', phones: ['020 7946 0958', '+44 7700 900123'], createdAt: T0 + 2 * DAY, responsibleUserId: sales },
      { id: 5760200, name: 'Ivan Petrov', phones: ['8 (495) 123-45-67'], createdAt: T0 - 10 * DAY, responsibleUserId: manager },
      { id: 5760210, name: 'Maria Garcia', phones: ['915 55 01 23'], createdAt: T0 + 3 * DAY, responsibleUserId: sales },
      { id: 5760220, name: 'João Silva', phones: ['+55 (11) 91234-5678'], createdAt: T0 + 4 * DAY, responsibleUserId: sales },
      { id: 5760230, name: 'Ayşe Yılmaz', phones: ['0212 555 12 34'], createdAt: T0 + 5 * DAY, responsibleUserId: manager },
      { id: 5760240, name: 'Budi Santoso', phones: ['(021) 5550-1234'], createdAt: T0 + 6 * DAY, responsibleUserId: manager },
    ],
    companies: [
      { id: 6811296, name: 'Kommo', phones: ['+1 830 570 3077'], createdAt: T0, responsibleUserId: sales },
      { id: 6811297, name: 'Lama Company', phones: ['+1 415 523 7743'], createdAt: T0 + DAY, responsibleUserId: sales },
      { id: 6811300, name: 'Romashka LLC', phones: ['+7 495 123 45 67'], createdAt: T0 + 20 * DAY, responsibleUserId: manager },
      { id: 6811310, name: 'Nord Logistik', phones: ['030 9876 5432'], createdAt: T0 + 9 * DAY, responsibleUserId: sales },
      { id: 6811311, name: 'Nord GmbH', phones: ['+49 30 98765432'], createdAt: T0 + 8 * DAY, responsibleUserId: sales },
    ],
    leads: [
      { id: 5102780, name: 'Old deal', active: false, contactIds: [5760184], companyIds: [], createdAt: T0, responsibleUserId: manager },
      { id: 5102790, name: 'First patch', active: true, contactIds: [], companyIds: [6811297], createdAt: T0 + DAY, responsibleUserId: sales },
      { id: 5102801, name: '', active: true, contactIds: [5760220], companyIds: [], createdAt: T0 + 4 * DAY, responsibleUserId: sales },
      { id: 5102810, name: 'Website', active: true, contactIds: [5760230], companyIds: [], createdAt: T0 + 5 * DAY, responsibleUserId: manager },
      { id: 5102811, name: 'Mobile app', active: true, contactIds: [5760230], companyIds: [], createdAt: T0 + 6 * DAY, responsibleUserId: manager },
      { id: 5102820, name: 'Jakarta office', active: true, contactIds: [5760240], companyIds: [], createdAt: T0 + 6 * DAY, responsibleUserId: manager },
      { id: 5102830, name: 'Fleet GPS', active: true, contactIds: [], companyIds: [6811311], createdAt: T0 + 8 * DAY, responsibleUserId: sales },
      { id: 5102831, name: 'Warehouse', active: true, contactIds: [], companyIds: [6811310], createdAt: T0 + 9 * DAY, responsibleUserId: sales },
    ],
    customers: [
      { id: 3970, name: 'Customer 2', active: true, contactIds: [5760185], companyIds: [], createdAt: T0 + DAY, responsibleUserId: sales },
      { id: 3971, name: '', active: true, contactIds: [5760210], companyIds: [], createdAt: T0 + 3 * DAY, responsibleUserId: sales },
      { id: 3972, name: 'Budi retainer', active: true, contactIds: [5760240], companyIds: [], createdAt: T0 + 6 * DAY, responsibleUserId: manager },
    ],
  };
}
