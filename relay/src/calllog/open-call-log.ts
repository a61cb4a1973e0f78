/**
 * The relay's call log from its options (relay.ts): its outbox (`<dataDir>/outbox.sqlite`, memory
 * without a data directory, or the caller's own) and the Kommo user of each extension (the users
 * file, unless the options say). Null when the options have no `callLog`: no call is logged.
 */
import type { UsersMap } from '../auth/settings';
import type { RelaySettings } from '../options';
import { createCallLog } from './call-log';
import type { CallLog } from './call-log';
import { MemoryOutbox } from './memory-outbox';
import { SqliteOutbox } from './sqlite-outbox';

type Log = (message: string, context?: Record<string, unknown>) => void;

/** Extension -> Kommo user, from the users file (user -> extensions); a shared line is logged by its first user. */
export function usersByExtension(users: UsersMap): Map<string, number> {
  const byExtension = new Map<string, number>();
  for (const [userId, extensions] of users) {
    const id = Number(userId);
    if (!Number.isSafeInteger(id)) continue;
    for (const extension of extensions) if (!byExtension.has(extension)) byExtension.set(extension, id);
  }
  return byExtension;
}

export function openCallLog(options: RelaySettings, now: () => number, log: Log): CallLog | null {
  const given = options.callLog;
  if (given === undefined) return null;
  const users = options.auth?.users;
  const current = (): UsersMap => (users === undefined ? new Map() : typeof users === 'function' ? users() : users);
  // The users file is re-read on SIGHUP: the index follows the map it was made from.
  let indexed: { from: UsersMap; byExtension: Map<string, number>; known: ReadonlySet<string> } | null = null;
  const index = () => {
    const map = current();
    if (indexed?.from !== map) {
      const byExtension = usersByExtension(map);
      indexed = { from: map, byExtension, known: new Set(byExtension.keys()) };
    }
    return indexed;
  };
  const outbox = given.outbox ?? (options.dataDir !== undefined ? new SqliteOutbox({ dataDir: options.dataDir, now, log }) : new MemoryOutbox());
  const callLog = createCallLog({
    api: given.api,
    config: given.config,
    outbox,
    userOf: given.userOf ?? ((extension) => index().byExtension.get(extension) ?? null),
    knownExtensions: () => index().known,
    now,
    log,
    ...(given.timers === undefined ? {} : { timers: given.timers }),
    ...(given.concurrency === undefined ? {} : { concurrency: given.concurrency }),
    ...(given.backoff === undefined ? {} : { backoff: given.backoff }),
  });
  // The outbox is the call log's: closed once the writes in flight are recorded (unless it was given).
  return {
    ...callLog,
    close: async () => {
      await callLog.close();
      if (given.outbox === undefined) outbox.close();
    },
  };
}
