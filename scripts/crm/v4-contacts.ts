/**
 * /api/v4/contacts. Pure.
 *  GET  ?query=Q  Q with digits: contacts with a phone whose last ten digits contain the last
 *       ten digits of Q; Q without digits: contacts whose name contains it (any case); no Q:
 *       every contact. By id, ascending. 204 when none.
 *  POST [{name, responsible_user_id, custom_fields_values: [{field_code: 'PHONE', values:
 *       [{value}]}]}]: the contacts join the account, so calls and by_phone find them.
 */
import type { CrmAccount, CrmPerson } from './account';
import { digitsOf } from './by-phone-algorithm';
import { NO_CONTENT, ok, validationFailed } from './v4-answer';
import type { FieldError, ItemErrors, V4Answer } from './v4-answer';
import { cardJson } from './v4-cards';
import { checkFields, isRecord, optional, requestIdOf } from './v4-fields';
import { usersOf } from './v4-users';
import { V4_ID_BASE } from './v4-state';
import type { V4Outcome, V4State } from './v4-state';

const TAIL = 10;

export function contactsAnswer(account: CrmAccount, query: string | null): V4Answer {
  const q = (query ?? '').trim();
  const tail = digitsOf(q).slice(-TAIL);
  const found = account.contacts
    .filter((c) => (q === '' ? true : tail !== '' ? c.phones.some((p) => digitsOf(p).slice(-TAIL).includes(tail)) : c.name.toLowerCase().includes(q.toLowerCase())))
    .sort((a, b) => a.id - b.id);
  if (found.length === 0) return NO_CONTENT;
  return ok({
    _page: 1,
    _links: { self: { href: `/api/v4/contacts${q === '' ? '' : `?query=${encodeURIComponent(q)}`}` } },
    _embedded: { contacts: found.map((c) => ({ ...cardJson('contacts', c), custom_fields_values: phoneFields(c.phones) })) },
  });
}

export function planContacts(account: CrmAccount, state: V4State, items: unknown[], nowS: number): V4Outcome {
  const invalid: ItemErrors[] = [];
  for (const [i, item] of items.entries()) {
    const errors = isRecord(item) ? contactErrors(item) : [{ code: 'InvalidType' as const, path: 'contact', detail: 'each contact must be an object' }];
    if (errors.length > 0) invalid.push({ request_id: requestIdOf(item, i), errors });
  }
  if (invalid.length > 0) return { answer: validationFailed(invalid) };
  const fallbackUser = usersOf(account)[0]?.id ?? 0;
  const contacts: CrmPerson[] = items.map((raw, i) => {
    const item = raw as Record<string, unknown>;
    return {
      id: V4_ID_BASE.contact + state.addedContactIds.length + i,
      name: optional<string>(item.name) ?? '',
      phones: phonesOf(item.custom_fields_values),
      createdAt: optional<number>(item.created_at) ?? nowS,
      responsibleUserId: optional<number>(item.responsible_user_id) ?? fallbackUser,
    };
  });
  return {
    answer: ok({
      _embedded: { contacts: contacts.map((c, i) => ({ id: c.id, request_id: requestIdOf(items[i], i), _links: { self: { href: `/api/v4/contacts/${c.id}` } } })) },
    }),
    effects: { contacts },
  };
}

/** The values of the PHONE custom field (Kommo's contact phones). */
export function phonesOf(customFieldsValues: unknown): string[] {
  if (!Array.isArray(customFieldsValues)) return [];
  return customFieldsValues
    .filter((f) => isRecord(f) && f.field_code === 'PHONE' && Array.isArray(f.values))
    .flatMap((f) => (f as { values: unknown[] }).values)
    .map((v) => (isRecord(v) && typeof v.value === 'string' ? v.value : ''))
    .filter((v) => v !== '');
}

/** Errors of a contact (also the contacts of an incoming lead), paths under `prefix`. */
export function contactErrors(item: Record<string, unknown>, prefix = ''): FieldError[] {
  const errors = checkFields(
    item,
    {
      name: { kind: 'string' },
      first_name: { kind: 'string' },
      last_name: { kind: 'string' },
      responsible_user_id: { kind: 'int', min: 1 },
      created_at: { kind: 'int', min: 0 },
      custom_fields_values: { kind: 'array' },
    },
    prefix,
  );
  const fields = item.custom_fields_values;
  if (Array.isArray(fields)) {
    for (const [j, field] of fields.entries()) {
      const path = `${prefix}custom_fields_values.${j}`;
      if (!isRecord(field)) {
        errors.push({ code: 'InvalidType', path, detail: `${path} must be an object` });
        continue;
      }
      if (field.field_code === undefined && field.field_id === undefined) errors.push({ code: 'NotBlank', path: `${path}.field_code`, detail: `${path} needs field_code or field_id` });
      const values = field.values;
      if (!Array.isArray(values) || values.length === 0 || !values.every((v) => isRecord(v) && typeof v.value === 'string')) {
        errors.push({ code: 'InvalidType', path: `${path}.values`, detail: `${path}.values must be a non-empty array of {value: string}` });
      } else if (field.field_code === 'PHONE' && values.some((v) => digitsOf((v as { value: string }).value) === '')) {
        errors.push({ code: 'InvalidType', path: `${path}.values`, detail: `${path}.values must be phone numbers (digits)` });
      }
    }
  }
  return errors;
}

function phoneFields(phones: string[]): unknown[] {
  return phones.length === 0 ? [] : [{ field_code: 'PHONE', field_name: 'Phone', values: phones.map((value) => ({ value, enum_code: 'WORK' })) }];
}
