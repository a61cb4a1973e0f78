/**
 * The users file (`--users`): the one authority on which extensions a Kommo user may hear.
 * `{"users": {"<kommo user id>": ["101", "102"], ...}}`. Checked entry by entry at start; a bad
 * entry is refused naming it. (Why here and not in Kommo: relay/README.md, "The users file".)
 */
import fs from 'node:fs';
import { AuthConfigError } from './config-error';

export type UsersMap = ReadonlyMap<string, readonly string[]>;

/** Kommo user ids are integers; the JWT's `user_id` is compared as a string. */
const USER_ID = /^\d{1,20}$/;

/** What an extension may be: what a poll's comma-separated `extensions` can carry. */
function extensionProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `must be a string ("101", not 101), got ${JSON.stringify(value)}`;
  if (value.length === 0 || value.length > 64) return 'must be 1..64 characters';
  if (value !== value.trim() || /[\s,]/.test(value)) return `must have no spaces or commas, got ${JSON.stringify(value)}`;
  return null;
}

/** Checks a decoded users file (or a map given to createRelay); `where` names it in errors. */
export function parseUsers(raw: unknown, where: string): Map<string, readonly string[]> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new AuthConfigError(where, 'must be a JSON object {"users": {"<kommo user id>": ["101"]}}');
  const extra = Object.keys(raw).find((key) => key !== 'users');
  if (extra !== undefined) throw new AuthConfigError(where, `unknown key "${extra}" (the file has one key, "users")`);
  const users = (raw as { users?: unknown }).users;
  if (users === null || typeof users !== 'object' || Array.isArray(users)) throw new AuthConfigError(where, '"users" must be an object {"<kommo user id>": ["101"]}');
  return checkEntries(Object.entries(users), where);
}

export function checkEntries(entries: Iterable<[string, unknown]>, where: string): Map<string, readonly string[]> {
  const map = new Map<string, readonly string[]>();
  for (const [userId, list] of entries) {
    const entry = `users["${userId}"]`;
    if (!USER_ID.test(userId)) throw new AuthConfigError(where, `${entry}: "${userId}" is not a Kommo user id (digits only)`);
    if (!Array.isArray(list)) throw new AuthConfigError(where, `${entry} must be a list of extensions, e.g. ["101"]`);
    const seen = new Set<string>();
    for (const [index, extension] of list.entries()) {
      const problem = extensionProblem(extension);
      if (problem !== null) throw new AuthConfigError(where, `${entry}[${index}] ${problem}`);
      if (seen.has(extension as string)) throw new AuthConfigError(where, `${entry}[${index}]: "${extension as string}" is listed twice`);
      seen.add(extension as string);
    }
    map.set(userId, Object.freeze([...seen]));
  }
  return map;
}

/** Reads and checks the file; every failure is an AuthConfigError naming the file and the entry. */
export function readUsersFile(file: string): Map<string, readonly string[]> {
  const where = `--users ${file}`;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new AuthConfigError(where, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AuthConfigError(where, `is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseUsers(raw, where);
}
