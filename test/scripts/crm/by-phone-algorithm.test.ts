/** The fixture CRM's search follows each rule of Kommo's caller-ID page (and the call-event page's). */
import type { CrmAccount, CrmDeal, CrmPerson } from '../../../scripts/crm/account';
import { matchCallEvent, searchByPhone } from '../../../scripts/crm/by-phone-algorithm';
import { createSeedAccount, SEED_NUMBERS } from '../../../scripts/crm/seed';

const person = (id: number, name: string, phones: string[], createdAt = 1000): CrmPerson => ({ id, name, phones, createdAt, responsibleUserId: 7 });
const deal = (id: number, links: { contacts?: number[]; companies?: number[] }, active = true, name = `Deal ${id}`): CrmDeal => ({
  id, name, active, contactIds: links.contacts ?? [], companyIds: links.companies ?? [], createdAt: 1000, responsibleUserId: 8,
});
const account = (a: Partial<CrmAccount>): CrmAccount => ({ contacts: [], companies: [], leads: [], customers: [], ...a });
const item = (body: ReturnType<typeof searchByPhone>) => body?._embedded.items[0];

describe('GET /api/v2/search/by_phone algorithm', () => {
  test('a contact alone is returned as type 1 with its name and responsible user', () => {
    const body = searchByPhone(account({ contacts: [person(1, 'Adam Noah', ['+1 830 580 3077'])] }), '18305803077');
    expect(body).toEqual({
      _links: { self: { href: '/api/v2/search/by_phone?phone=18305803077', method: 'get' } },
      _embedded: { items: [{ id: 1, type: 1, name: 'Adam Noah', responsible_user_id: 7, _links: { self: '/api/v2/contacts/?id=1', method: 'GET' } }] },
    });
  });

  test('nothing matching: null (the server answers 204)', () => {
    expect(searchByPhone(account({ contacts: [person(1, 'A', ['+1 830 580 3077'])] }), '18305803078')).toBeNull();
    expect(searchByPhone(account({}), '18305803077')).toBeNull();
  });

  test('only the last seven digits are compared', () => {
    const acc = account({ contacts: [person(1, 'A', ['+1 (830) 580-3077'])] });
    expect(item(searchByPhone(acc, '+44 20 7580 3077'))?.id).toBe(1); // other country, same last 7
    expect(item(searchByPhone(acc, '5803077'))?.id).toBe(1);
    expect(searchByPhone(acc, '830 581 3077')).toBeNull(); // differs in the 7th digit from the end
    expect(searchByPhone(acc, '803077')).toBeNull(); // six digits are not the same last seven
  });

  test('a company is searched first: company and contact share the number -> the company', () => {
    const acc = account({ contacts: [person(1, 'Ivan', ['84951234567'], 1)], companies: [person(2, 'Romashka', ['+74951234567'], 999)] });
    expect(item(searchByPhone(acc, '74951234567'))).toMatchObject({ id: 2, type: 3, name: 'Romashka' });
  });

  test('several companies, none with deals -> the oldest company', () => {
    const acc = account({ companies: [person(2, 'Newer', ['5551234567'], 2000), person(3, 'Older', ['5551234567'], 1000)] });
    expect(item(searchByPhone(acc, '5551234567'))).toMatchObject({ id: 3, type: 3 });
  });

  test('equal created_at -> the lower id', () => {
    const acc = account({ contacts: [person(9, 'B', ['5551234567'], 1000), person(4, 'A', ['5551234567'], 1000)] });
    expect(item(searchByPhone(acc, '5551234567'))?.id).toBe(4);
  });

  test('one company with one active lead -> the lead, with the company as phone_entity', () => {
    const acc = account({ companies: [person(2, 'Lama Company', ['+14155237743'])], leads: [deal(50, { companies: [2] }, true, 'First patch')] });
    expect(item(searchByPhone(acc, '14155237743'))).toEqual({
      id: 50, type: 2, name: 'First patch', responsible_user_id: 8,
      phone_entity: { id: 2, type: 3, name: 'Lama Company', responsible_user_id: 7 },
      _links: { self: '/api/v2/leads/?id=50', method: 'GET' },
    });
  });

  test('one contact with one customer -> the customer, with the contact as phone_entity', () => {
    const acc = account({ contacts: [person(1, 'Adam Noah', ['8305803077'])], customers: [deal(3970, { contacts: [1] }, true, 'Customer 2')] });
    expect(item(searchByPhone(acc, '8305803077'))).toMatchObject({ id: 3970, type: 12, name: 'Customer 2', phone_entity: { id: 1, type: 1, name: 'Adam Noah' } });
  });

  test('closed leads do not count', () => {
    const acc = account({ contacts: [person(1, 'A', ['8305803077'])], leads: [deal(50, { contacts: [1] }, false)] });
    expect(item(searchByPhone(acc, '8305803077'))).toMatchObject({ id: 1, type: 1 });
  });

  test('two active leads -> the card, not a lead', () => {
    const acc = account({ contacts: [person(1, 'A', ['8305803077'])], leads: [deal(50, { contacts: [1] }), deal(51, { contacts: [1] })] });
    expect(item(searchByPhone(acc, '8305803077'))).toMatchObject({ id: 1, type: 1 });
  });

  test('one active lead AND one customer -> the card ("with no customers/active leads respectively")', () => {
    const acc = account({ contacts: [person(1, 'A', ['8305803077'])], leads: [deal(50, { contacts: [1] })], customers: [deal(60, { contacts: [1] })] });
    expect(item(searchByPhone(acc, '8305803077'))).toMatchObject({ id: 1, type: 1 });
  });

  test('two companies each with one active lead -> the oldest company', () => {
    const acc = account({
      companies: [person(2, 'Newer', ['5551234567'], 2000), person(3, 'Older', ['5551234567'], 1000)],
      leads: [deal(50, { companies: [2] }), deal(51, { companies: [3] })],
    });
    expect(item(searchByPhone(acc, '5551234567'))).toMatchObject({ id: 3, type: 3 });
  });

  test('several matching companies, only one with an active lead -> that lead, phone_entity = its company', () => {
    const acc = account({
      companies: [person(2, 'Has lead', ['5551234567'], 2000), person(3, 'Older', ['5551234567'], 1000)],
      leads: [deal(50, { companies: [2] })],
    });
    expect(item(searchByPhone(acc, '5551234567'))).toMatchObject({ id: 50, type: 2, phone_entity: { id: 2, type: 3 } });
  });

  test('a lead linked to a company that does not have the number does not count', () => {
    const acc = account({ companies: [person(2, 'A', ['5551234567']), person(3, 'Other', ['5559999999'])], leads: [deal(50, { companies: [3] })] });
    expect(item(searchByPhone(acc, '5551234567'))).toMatchObject({ id: 2, type: 3 });
  });

  test('a card with several phones matches on any of them', () => {
    const acc = account({ contacts: [person(1, 'A', ['111 111 1111', '+44 7700 900123'])] });
    expect(item(searchByPhone(acc, '07700900123'))?.id).toBe(1);
  });

  test('an unnamed lead is returned with its empty name (the widget names it)', () => {
    const acc = account({ contacts: [person(1, 'A', ['8305803077'])], leads: [deal(50, { contacts: [1] }, true, '')] });
    expect(item(searchByPhone(acc, '8305803077'))).toMatchObject({ id: 50, type: 2, name: '' });
  });

  test('the seed account answers what its comments promise', () => {
    const seed = createSeedAccount();
    const found = (n: string) => item(searchByPhone(seed, n));
    expect(found(SEED_NUMBERS.adamNoah)).toMatchObject({ type: 1, name: 'Adam Noah' });
    expect(found(SEED_NUMBERS.adamNoahTail)).toMatchObject({ type: 1, name: 'Adam Noah' });
    expect(found(SEED_NUMBERS.kommoCompany)).toMatchObject({ type: 3, name: 'Kommo' });
    expect(found(SEED_NUMBERS.lamaCompany)).toMatchObject({ type: 2, name: 'First patch', phone_entity: { type: 3, name: 'Lama Company' } });
    expect(found(SEED_NUMBERS.sharedContacts)).toMatchObject({ type: 1, name: 'Olivia Smith' });
    expect(found(SEED_NUMBERS.companyAndContact)).toMatchObject({ type: 3, name: 'Romashka LLC' });
    expect(found(SEED_NUMBERS.unnamedCustomer)).toMatchObject({ type: 12, id: 3971, name: '' });
    expect(found(SEED_NUMBERS.unnamedLead)).toMatchObject({ type: 2, id: 5102801, name: '' });
    expect(found(SEED_NUMBERS.twoActiveLeads)).toMatchObject({ type: 1, name: 'Ayşe Yılmaz' });
    expect(found(SEED_NUMBERS.leadAndCustomer)).toMatchObject({ type: 1, name: 'Budi Santoso' });
    expect(found(SEED_NUMBERS.sharedCompanies)).toMatchObject({ type: 3, name: 'Nord GmbH' });
    expect(found(SEED_NUMBERS.customerContact)).toMatchObject({ type: 12, name: 'Customer 2', phone_entity: { type: 1, name: 'Eva Noah' } });
    expect(searchByPhone(seed, SEED_NUMBERS.unknown)).toBeNull();
  });
});

describe('POST /api/v2/events matching (call-event page)', () => {
  test('contacts come first there, and the last eight digits are compared', () => {
    const acc = account({ contacts: [person(1, 'Ivan', ['84951234567'])], companies: [person(2, 'Romashka', ['+74951234567'])] });
    expect(matchCallEvent(acc, '+74951234567')).toEqual({ element_type: 1, element_id: 1 });
    // Same last seven, different eighth digit: by_phone would match, events does not.
    expect(matchCallEvent(acc, '+74961234567')).toBeNull();
    expect(item(searchByPhone(acc, '+74961234567'))?.id).toBe(2);
  });
});
