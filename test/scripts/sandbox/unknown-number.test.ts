/**
 * The PBX panel's "an unknown number" link (scripts/sandbox/kommo/pbx-panel.ts) must ring a
 * number the simulated CRM does not know: it once filled +44 20 7946 0958, which pops "Olivia
 * Smith". Kommo's phone search matches the last 7 digits (by_phone) or 8 (events).
 */
import { createSeedAccount, matchCallEvent, searchByPhone, SEED_NUMBERS, startCrmServer } from '../../../scripts/crm';
import { UNKNOWN_NUMBER } from '../../../scripts/sandbox/kommo/pbx-panel';

const digits = (text: string) => text.replace(/\D/g, '');

/** The seeded cards whose phones end like `number` on its last `tail` digits. */
function cardsEndingLike(number: string, tail: number): string[] {
  const seed = createSeedAccount();
  const end = digits(number).slice(-tail);
  return [...seed.contacts, ...seed.companies].filter((card) => card.phones.some((phone) => digits(phone).slice(-tail) === end)).map((card) => card.name);
}

test('no seeded card shares the last 7 (or 8) digits of the unknown number', () => {
  expect(UNKNOWN_NUMBER).toBe(SEED_NUMBERS.unknown);
  expect(cardsEndingLike(UNKNOWN_NUMBER, 7)).toEqual([]);
  expect(cardsEndingLike(UNKNOWN_NUMBER, 8)).toEqual([]);
  // The number the link used to fill is a known one: the check sees it.
  expect(cardsEndingLike('+44 20 7946 0958', 7)).toEqual(['Oliver Smith', 'Olivia Smith']);
});

test("Kommo's searches over the seed find nobody for it", () => {
  const seed = createSeedAccount();
  expect(searchByPhone(seed, UNKNOWN_NUMBER)).toBeNull();
  expect(matchCallEvent(seed, UNKNOWN_NUMBER)).toBeNull();
  expect(searchByPhone(seed, '+44 20 7946 0958')).not.toBeNull();
});

test('the simulated CRM answers 204 (nothing found) for it, as the widget asks', async () => {
  const server = await startCrmServer();
  try {
    const res = await fetch(`${server.url}/api/v2/search/by_phone?phone=${encodeURIComponent(UNKNOWN_NUMBER)}`);
    expect(res.status).toBe(204);
  } finally {
    await server.close();
  }
});
