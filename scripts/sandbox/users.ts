/** The sandbox account (APP.constant('account')), its users (APP.constant('managers')) and their PBX extensions. */

/** The account id Kommo's one-time tokens carry (`account_id`) and the sandbox's relay accepts. */
export const SANDBOX_ACCOUNT = { id: 31000001, subdomain: 'sandbox', name: 'Sandbox account', currency: 'USD' } as const;

export interface SandboxUser {
  id: number;
  name: string;
  login: string;
  extension: string;
}

export const SANDBOX_USERS: SandboxUser[] = [
  { id: 8320148, name: 'Alice Martin', login: 'alice@sandbox.test', extension: '101' },
  { id: 8375357, name: 'Bruno Costa', login: 'bruno@sandbox.test', extension: '102' },
  { id: 8390011, name: 'Chloé Durand', login: 'chloe@sandbox.test', extension: '103' },
];

export const SANDBOX_LOCALES = ['en', 'es', 'pt', 'ru', 'tr', 'id'] as const;

/** The relay's users file, built from the users: each user hears their own extension. */
export function sandboxUsersMap(users: readonly SandboxUser[] = SANDBOX_USERS): Map<string, readonly string[]> {
  return new Map(users.map((user) => [String(user.id), [user.extension]]));
}
