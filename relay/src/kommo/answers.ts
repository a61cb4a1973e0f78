/**
 * Kommo's answers, read defensively (pure): each reader turns a parsed JSON body into the
 * value the client returns, or says why it cannot (a missing or mistyped field is a `transient`
 * failure with a clear detail, never a TypeError).
 *
 * Assumptions about Kommo's texts (../shared/spec/kommo-platform.md only says that a call whose
 * number matches nothing "comes back in `errors` for its `request_id`", and that Kommo "may
 * refuse a repeated uniq"; it gives no wording):
 * - an item of `errors` (or of a 400's problem JSON) is an object whose strings (title, detail,
 *   msg, message, code...) describe it; all of them are read, in any language Kommo answers in;
 * - a repeated uniq says "duplicate", or names the uniq with "already"/"exists"/"used"/"taken"/
 *   "not unique" (also "дубл"/"уже" for a Russian-language account);
 * - a number that matched no card says "not found", "no entity", "does not exist", "no card",
 *   "no contact", "no match", "matched no"/"matches no" or "не найден" (not a bare "match": a
 *   phone that "does not match the pattern" is a refusal, not an unknown caller).
 * All of it is matched loosely (case-insensitive substrings) in one place: `meaningOf`.
 */
import type { KommoEntity } from '../calllog/types';
import type { CallFiled, KommoOpenTask } from './types';

/** What a reader made of an answer: the value, or why not. */
export type Read<T> = { ok: true; value: T } | { ok: false; kind: 'transient' | 'refused'; detail: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
/** A 2xx the client cannot read: the request may have landed, and a retry is safe (uniq, idempotent keys). */
const unreadable = <T>(detail: string): Read<T> => ({ ok: false, kind: 'transient', detail: `Kommo's answer is not as documented: ${detail}` });

/** What Kommo's text about a write that did not land means (see the header); null: something else. */
export function meaningOf(text: string): 'duplicate' | 'unknown-number' | null {
  const t = text.toLowerCase();
  if (t.includes('duplicat') || t.includes('дубл')) return 'duplicate';
  if (t.includes('uniq') && ['already', 'exists', 'is used', 'been used', 'taken', 'not unique', 'уже'].some((word) => t.includes(word))) return 'duplicate';
  if (['not found', 'no entit', 'not exist', 'no card', 'no contact', 'no match', 'matched no', 'matches no', 'не найден'].some((word) => t.includes(word))) return 'unknown-number';
  return null;
}

export function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * An error item as text: every string and number in it, a few levels deep, but not its
 * request_id (ours: a call id may say anything); a validation error `{path, detail}` as
 * "path: detail". What meaningOf reads and a refusal's detail shows.
 */
export function textOf(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (depth > 3 || value === null || typeof value !== 'object') return '';
  const o = record(value);
  if (o !== null && typeof o.path === 'string' && typeof o.detail === 'string') return `${o.path}: ${o.detail}`;
  const items = o === null ? (value as unknown[]) : Object.entries(o).filter(([key]) => key !== 'request_id').map(([, item]) => item);
  return items.map((item) => textOf(item, depth + 1)).filter((part) => part !== '').join('; ');
}

/**
 * A failure answer's description: Kommo's problem JSON (title, detail, validation-errors) or,
 * for anything else (a proxy's HTML page), its text without tags. Not shortened here: meaningOf
 * reads all of it; KommoApiError shortens what it keeps.
 */
export function problemText(body: unknown, raw: string): string {
  const o = record(body);
  if (o === null) return raw.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  const head = [o.title, o.detail].filter((part): part is string => typeof part === 'string' && part !== '').join(': ');
  const items: string[] = [];
  for (const key of ['validation-errors', 'validation_errors', 'errors']) {
    const list = o[key];
    if (Array.isArray(list)) for (const item of list) items.push(textOf(item));
  }
  const more = items.filter((item) => item !== '').join('; ');
  if (head === '') return more === '' ? textOf(o) : more;
  return more === '' ? head : `${head} (${more})`;
}

const ENTITY_TYPES: Readonly<Record<string, KommoEntity['type']>> = {
  lead: 'leads',
  leads: 'leads',
  contact: 'contacts',
  contacts: 'contacts',
  company: 'companies',
  companies: 'companies',
  customer: 'customers',
  customers: 'customers',
};

/** Kommo names entity types plural in v4 and singular in some answers (calls): both are read. */
export function entityTypeOf(value: unknown): KommoEntity['type'] | null {
  return typeof value === 'string' ? ENTITY_TYPES[value.toLowerCase()] ?? null : null;
}

/** A Kommo id: a positive integer (a string of digits too: a proxy may have turned it into one). */
export function idOf(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** A user id: 0 is Kommo's "nobody" (robot), so it is a value too. */
function userIdOf(value: unknown): number | null {
  return value === 0 || value === '0' ? 0 : idOf(value);
}

/** `body._embedded[key]` as a list; null when it is not one. */
function embedded(body: unknown, key: string): unknown[] | null {
  const list = record(record(body)?._embedded)?.[key];
  return Array.isArray(list) ? list : null;
}

const sameRequest = (item: unknown, requestId: string): boolean => {
  const id = record(item)?.request_id;
  return id === undefined || id === null || String(id) === requestId;
};

/** POST /api/v4/calls with one call: filed on a card, or why it was not (Kommo's `errors`). */
export function readLoggedCall(body: unknown, requestId: string): Read<CallFiled> {
  if (record(body) === null) return unreadable('POST /api/v4/calls answered no JSON object');
  const call = (embedded(body, 'calls') ?? []).find((item) => sameRequest(item, requestId));
  if (call !== undefined) {
    const c = record(call);
    const id = idOf(c?.entity_id);
    const type = entityTypeOf(c?.entity_type);
    if (id === null || type === null) return unreadable(`the call of request_id ${requestId} has no entity_id/entity_type Kommo documents (${JSON.stringify(c?.entity_type ?? null)})`);
    return ok({ filed: 'on-card', entity: { id, type } });
  }
  const errors = record(body)?.errors;
  const list = Array.isArray(errors) ? errors : record(errors) !== null ? Object.values(errors as object) : [];
  const error = list.find((item) => sameRequest(item, requestId));
  if (error !== undefined) {
    const text = textOf(error);
    const meaning = meaningOf(text);
    if (meaning !== null) return ok({ filed: meaning });
    return { ok: false, kind: 'refused', detail: `Kommo did not add the call: ${text === '' ? 'no reason given' : text}` };
  }
  return unreadable(`neither _embedded.calls nor errors holds request_id ${requestId}`);
}

/** POST /api/v4/leads/unsorted/sip: the lead was created when Kommo lists it. */
export function readUnsorted(body: unknown): Read<{ added: 'created' }> {
  const list = embedded(body, 'unsorted');
  return list !== null && list.length > 0 ? ok({ added: 'created' }) : unreadable('no _embedded.unsorted[] in the answer of POST /api/v4/leads/unsorted/sip');
}

/** The last 10 digits: how Kommo matches numbers (the spec), so "+7 495..." and "8 495..." are one. */
export const numberKey = (phone: string): string => phone.replace(/\D/g, '').slice(-10);

function hasPhone(contact: Record<string, unknown>, key: string): boolean {
  const fields = contact.custom_fields_values;
  if (!Array.isArray(fields)) return false;
  return fields.some((field) => {
    const f = record(field);
    if (f?.field_code !== 'PHONE' || !Array.isArray(f.values)) return false;
    return f.values.some((v) => {
      const value = record(v)?.value;
      return typeof value === 'string' && numberKey(value) === key;
    });
  });
}

/**
 * GET /api/v4/contacts?query=: Kommo's query searches every field, so a contact whose phone
 * matches is preferred; when none shows one, the first (Kommo ranks the phone match first).
 */
export function readFoundContact(body: unknown, digits: string): Read<{ entity: KommoEntity; responsibleUserId: number } | null> {
  if (body === null) return ok(null); // 204: nothing matched
  if (record(body) === null) return unreadable('GET /api/v4/contacts answered no JSON object');
  const list = embedded(body, 'contacts') ?? [];
  const contacts = list.map(record).filter((c): c is Record<string, unknown> => c !== null);
  const key = numberKey(digits);
  const contact = contacts.find((c) => hasPhone(c, key)) ?? contacts[0];
  if (contact === undefined) return ok(null);
  const id = idOf(contact.id);
  const responsibleUserId = userIdOf(contact.responsible_user_id);
  if (id === null || responsibleUserId === null) return unreadable('a contact of GET /api/v4/contacts has no id or responsible_user_id');
  return ok({ entity: { id, type: 'contacts' }, responsibleUserId });
}

/** The id of the first entity of `_embedded[key]` (POST /api/v4/contacts, POST /api/v4/tasks). */
export function readCreatedId(body: unknown, key: 'contacts' | 'tasks'): Read<number> {
  const id = idOf(record(embedded(body, key)?.[0])?.id);
  return id === null ? unreadable(`no _embedded.${key}[0].id in the answer of POST /api/v4/${key}`) : ok(id);
}

/** GET /api/v4/{type}/{id}: the card's responsible user; null body (204) is a card that is gone. */
export function readResponsible(body: unknown): Read<number | null> {
  if (body === null) return ok(null);
  const user = userIdOf(record(body)?.responsible_user_id);
  return user === null ? unreadable('the card has no responsible_user_id') : ok(user);
}

/** GET /api/v4/tasks (filtered): open call tasks; a completed or other-type one Kommo still lists is left out. */
export function readOpenTasks(body: unknown): Read<KommoOpenTask[]> {
  if (body === null) return ok([]); // 204: no task
  const list = embedded(body, 'tasks');
  if (list === null) return record(body) === null ? unreadable('GET /api/v4/tasks answered no JSON object') : ok([]);
  const tasks: KommoOpenTask[] = [];
  for (const item of list) {
    const t = record(item);
    const id = idOf(t?.id);
    const entityId = idOf(t?.entity_id);
    const type = entityTypeOf(t?.entity_type);
    const completeTill = t?.complete_till;
    if (t === null || id === null || entityId === null || type === null || typeof completeTill !== 'number' || !Number.isFinite(completeTill)) {
      return unreadable('a task of GET /api/v4/tasks lacks id, entity_id, entity_type or complete_till');
    }
    if (t.is_completed === true || (t.task_type_id !== undefined && t.task_type_id !== 1)) continue;
    tasks.push({ id, text: typeof t.text === 'string' ? t.text : '', entity: { id: entityId, type }, completeTill });
  }
  return ok(tasks);
}
