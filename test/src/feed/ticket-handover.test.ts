/** The ticket handover between tabs, as pure decisions (src/feed/ticket-handover.ts): no clock, the time is an input. */
import { adoptTicket, heldFrom, MIN_LEFT_MS, parseSharedTicket, shareTicket } from '../../../src/feed/ticket-handover';
import type { SharedTicket, TicketAccess } from '../../../src/feed/ticket-handover';

const T0 = 1_700_000_000_000;
const ACCESS: TicketAccess = { mode: 'ticket', ticket: 'jwt', expiresInMs: 600_000, extensions: ['101', '102'] };
const shared = (over: Partial<SharedTicket> = {}): SharedTicket => ({ ...shareTicket(heldFrom(ACCESS, T0), '7'), ...over });

test('the leader shares its ticket with its expiry, its whole life, the user and the extensions it is for', () => {
  expect(shared()).toEqual({ ticket: 'jwt', expiresAt: T0 + 600_000, lifeMs: 600_000, userId: '7', extensions: ['101', '102'] });
});

test("the next leader of the same user uses it at once and renews it at 80 % of its life, as the leader would have", () => {
  // 1 min after it was issued: renewal at 8 min, 7 min from now.
  expect(adoptTicket(shared(), '7', T0 + 60_000)).toEqual({
    held: { access: ACCESS, expiresAt: T0 + 600_000 },
    renewInMs: 420_000,
  });
  // Past 80 % (the leader's renewal kept failing), still more than a minute left: used, renewed at once.
  expect(adoptTicket(shared(), '7', T0 + 500_000)?.renewInMs).toBe(0);
});

test("never another user's ticket, never one about to expire, never one the clock makes look younger than issued", () => {
  expect(adoptTicket(shared(), '8', T0)).toBeNull();
  expect(adoptTicket(null, '7', T0)).toBeNull();
  expect(adoptTicket(undefined, '7', T0)).toBeNull();
  expect(adoptTicket(shared(), '7', T0 + 600_000 - MIN_LEFT_MS)).toBeNull();
  expect(adoptTicket(shared(), '7', T0 + 600_000 - MIN_LEFT_MS - 1)).not.toBeNull();
  expect(adoptTicket(shared(), '7', T0 + 700_000)).toBeNull();
  // The clock went back since it was shared: more left than its life.
  expect(adoptTicket(shared(), '7', T0 - 1)).toBeNull();
  expect(adoptTicket(shared({ expiresAt: Number.NaN }), '7', T0)).toBeNull();
});

test('what another tab shares is checked: a well-formed ticket passes as a copy, anything else is dropped', () => {
  const good = shared();
  const parsed = parseSharedTicket(JSON.parse(JSON.stringify(good)));
  expect(parsed).toEqual(good);
  expect(parsed?.extensions).not.toBe(good.extensions);
  for (const bad of [
    null,
    'jwt',
    [],
    { ...good, ticket: '' },
    { ...good, ticket: 'x'.repeat(4097) },
    { ...good, expiresAt: '1' },
    { ...good, expiresAt: Infinity },
    { ...good, lifeMs: 0 },
    { ...good, lifeMs: 24 * 3600 * 1000 + 1 },
    { ...good, userId: '' },
    { ...good, userId: 7 },
    { ...good, extensions: 'x' },
    { ...good, extensions: [''] },
    { ...good, extensions: Array.from({ length: 51 }, (_, i) => String(i)) },
  ]) {
    expect(parseSharedTicket(bad)).toBeNull();
  }
});
