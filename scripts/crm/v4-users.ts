/** GET /api/v4/users: the account's users, which the relay maps extensions to. Pure. */
import type { CrmAccount, CrmUser } from './account';
import { ok } from './v4-answer';
import type { V4Answer } from './v4-answer';
import { SEED_USERS } from './seed';

/** The account's users; an account without a list has the seed's ('Manager', 'Sales'). */
export function usersOf(account: CrmAccount): CrmUser[] {
  if (account.users) return account.users;
  return Object.entries(SEED_USERS).map(([key, id]) => ({ id, name: key.charAt(0).toUpperCase() + key.slice(1), email: `${key}@example.com` }));
}

export function usersAnswer(account: CrmAccount): V4Answer {
  const users = usersOf(account);
  return ok({
    _total_items: users.length,
    _page: 1,
    _links: { self: { href: '/api/v4/users' } },
    _embedded: { users: users.map((u) => ({ id: u.id, name: u.name, email: u.email, lang: 'en' })) },
  });
}
