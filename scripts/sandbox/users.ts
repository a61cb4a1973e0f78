/** The sandbox account's users (APP.constant('managers')) and their PBX extensions. */
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
