/**
 * The users file as the running relay sees it: read at start (a bad file refuses the start), and
 * again on `reread()` (main.ts: SIGHUP). A bad file at a re-read is logged and the previous map
 * stays: a typo must not lock every user out. A socket keeps its extensions until its next
 * `subscribe` or ticket renewal, where the new map applies (polls and tickets at once).
 */
import { AuthConfigError } from './config-error';
import { readUsersFile } from './users-file';
import type { UsersMap } from './users-file';

export interface UsersSource {
  current(): UsersMap;
  reread(): void;
}

export function createUsersSource(file: string, log: (message: string, context?: Record<string, unknown>) => void): UsersSource {
  let users: UsersMap = readUsersFile(file);
  return {
    current: () => users,
    reread() {
      try {
        users = readUsersFile(file);
        log('relay: users file re-read', { file, users: users.size });
      } catch (error) {
        log('relay: users file not re-read, the previous one stays', { error: error instanceof AuthConfigError ? error.message : String(error) });
      }
    },
  };
}
