/**
 * The `phones` setting, manifest type `users`: one text box per Kommo user, stored as
 * `{"504141": "101, 102"}`. Whether `get_settings()` hands it over as that object or as its
 * JSON string is not documented (https://developers.kommo.com/docs/field-types), so both work.
 */
import type { SettingsProblem } from './types';

/** Digits, and the `*`, `#`, `+` some PBXs use in extensions; at most 16 characters. */
const EXTENSION = /^[0-9*#+]{1,16}$/;

/** Commas, semicolons or spaces between a user's extensions. */
const SEPARATORS = /[\s,;]+/;

function asRecord(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return {};
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') return {};
    try {
      return asRecord(JSON.parse(trimmed));
    } catch {
      return null;
    }
  }
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  return null;
}

function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  // A list per user (written through the API rather than the modal) reads like "101, 102".
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number')) return value.join(',');
  return null;
}

/** user id -> extensions; null after an error problem (pushed into `problems`). */
export function parsePhones(value: unknown, userId: string | null, problems: SettingsProblem[]): Record<string, string[]> | null {
  const record = asRecord(value);
  if (!record) {
    problems.push({ field: 'phones', severity: 'error', key: 'problem_phones_unreadable' });
    return null;
  }
  const phones: Record<string, string[]> = {};
  let failed = false;
  for (const [user, cell] of Object.entries(record)) {
    const raw = cellText(cell);
    if (raw === null) {
      problems.push({ field: 'phones', severity: 'error', key: 'problem_phones_bad_extension', params: { user, extension: JSON.stringify(cell) ?? '' } });
      failed = true;
      continue;
    }
    const extensions: string[] = [];
    for (const extension of raw.split(SEPARATORS).filter((part) => part !== '')) {
      if (!EXTENSION.test(extension)) {
        problems.push({ field: 'phones', severity: 'error', key: 'problem_phones_bad_extension', params: { user, extension } });
        failed = true;
      } else if (!extensions.includes(extension)) {
        extensions.push(extension);
      }
    }
    if (extensions.length > 0) phones[user] = extensions;
  }
  if (failed) return null;

  // Shared extensions work (every owner sees the calls) but are usually a typo: say so.
  const owners = new Map<string, string[]>();
  for (const [user, extensions] of Object.entries(phones)) {
    for (const extension of extensions) owners.set(extension, [...(owners.get(extension) ?? []), user]);
  }
  for (const [extension, users] of owners) {
    if (users.length > 1) {
      problems.push({ field: 'phones', severity: 'warning', key: 'problem_phones_duplicate', params: { extension, users: users.join(', ') } });
    }
  }

  // Warnings, not errors: the admin who saves may not take calls.
  if (Object.keys(phones).length === 0) {
    problems.push({ field: 'phones', severity: 'warning', key: 'problem_phones_none' });
  } else if (userId !== null && !phones[userId]) {
    problems.push({ field: 'phones', severity: 'warning', key: 'problem_phones_missing_self' });
  }
  return phones;
}
