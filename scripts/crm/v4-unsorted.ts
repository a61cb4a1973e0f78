/**
 * POST /api/v4/leads/unsorted/sip: incoming leads for callers Kommo does not know
 * (https://www.kommo.com/developers/content/crm_platform/unsorted-api). Pure.
 * Each item: `source_uid`, `source_name`, `created_at`, `metadata` {uniq, phone, called_at,
 * duration, service_code, from, link?, is_call_event_needed?} and `_embedded.contacts[]`.
 * Any bad item refuses the request (400 validation-errors). A `metadata.uniq` Kommo already
 * has (or twice in one body) refuses it too, detail "uniq already exists".
 */
import { createHash } from 'node:crypto';
import type { CrmAccount } from './account';
import { ok, validationFailed } from './v4-answer';
import type { FieldError, ItemErrors } from './v4-answer';
import { contactErrors, phonesOf } from './v4-contacts';
import { checkFields, isRecord, optional, requestIdOf } from './v4-fields';
import { V4_ID_BASE } from './v4-state';
import type { CrmUnsorted, V4Outcome, V4State } from './v4-state';

export const DUPLICATE_UNIQ = 'uniq already exists';

export function planUnsorted(_account: CrmAccount, state: V4State, items: unknown[], nowS: number, accountId: number): V4Outcome {
  const known = new Set(state.unsorted.map((u) => u.metadata.uniq));
  const invalid: ItemErrors[] = [];
  for (const [i, item] of items.entries()) {
    const errors = isRecord(item) ? itemErrors(item) : [{ code: 'InvalidType' as const, path: 'unsorted', detail: 'each incoming lead must be an object' }];
    const uniq = isRecord(item) && isRecord(item.metadata) ? item.metadata.uniq : undefined;
    if (typeof uniq === 'string' && uniq !== '') {
      if (known.has(uniq)) errors.push({ code: 'NotUnique', path: 'metadata.uniq', detail: DUPLICATE_UNIQ });
      known.add(uniq);
    }
    if (errors.length > 0) invalid.push({ request_id: requestIdOf(item, i), errors });
  }
  if (invalid.length > 0) {
    const onlyDuplicates = invalid.every((item) => item.errors.every((e) => e.code === 'NotUnique'));
    return { answer: validationFailed(invalid, onlyDuplicates ? DUPLICATE_UNIQ : undefined) };
  }

  let contactId = V4_ID_BASE.unsortedContact + state.unsorted.reduce((n, u) => n + u.contacts.length, 0);
  const added: CrmUnsorted[] = items.map((raw, i) => {
    const item = raw as Record<string, unknown>;
    const meta = item.metadata as Record<string, unknown>;
    const contacts = ((item._embedded as { contacts: Array<Record<string, unknown>> }).contacts).map((c) => ({
      id: contactId++,
      name: optional<string>(c.name) ?? '',
      phones: phonesOf(c.custom_fields_values),
    }));
    const n = state.unsorted.length + i;
    return {
      uid: createHash('sha1').update(`unsorted:${n}:${String(meta.uniq)}`).digest('hex'),
      source_uid: item.source_uid as string,
      source_name: item.source_name as string,
      created_at: optional<number>(item.created_at) ?? nowS,
      lead_id: V4_ID_BASE.unsortedLead + n,
      contacts,
      metadata: {
        uniq: meta.uniq as string,
        phone: meta.phone as string,
        duration: meta.duration as number,
        service_code: meta.service_code as string,
        called_at: meta.called_at as number,
        from: meta.from as string,
        link: optional<string>(meta.link),
        is_call_event_needed: optional<boolean>(meta.is_call_event_needed) ?? false,
      },
    };
  });
  return {
    answer: ok({
      _total_items: added.length,
      _embedded: {
        unsorted: added.map((u, i) => ({
          uid: u.uid,
          account_id: accountId,
          request_id: requestIdOf(items[i], i),
          _embedded: { leads: [{ id: u.lead_id }], contacts: u.contacts.map((c) => ({ id: c.id })) },
        })),
      },
    }),
    effects: { unsorted: added },
  };
}

function itemErrors(item: Record<string, unknown>): FieldError[] {
  const errors = checkFields(item, {
    source_uid: { kind: 'string', required: true, nonEmpty: true },
    source_name: { kind: 'string', required: true, nonEmpty: true },
    created_at: { kind: 'int', min: 0 },
    pipeline_id: { kind: 'int', min: 1 },
    metadata: { kind: 'object', required: true },
    _embedded: { kind: 'object', required: true },
  });
  if (isRecord(item.metadata)) {
    errors.push(
      ...checkFields(
        item.metadata,
        {
          uniq: { kind: 'string', required: true, nonEmpty: true },
          phone: { kind: 'string', required: true, nonEmpty: true, digits: true },
          called_at: { kind: 'int', required: true, min: 0 },
          duration: { kind: 'int', required: true, min: 0 },
          service_code: { kind: 'string', required: true, nonEmpty: true },
          from: { kind: 'string', required: true },
          link: { kind: 'string' },
          is_call_event_needed: { kind: 'bool' },
        },
        'metadata.',
      ),
    );
  }
  if (isRecord(item._embedded)) {
    const contacts = item._embedded.contacts;
    errors.push(...checkFields(item._embedded, { contacts: { kind: 'array', required: true, nonEmpty: true } }, '_embedded.'));
    if (Array.isArray(contacts)) {
      for (const [j, contact] of contacts.entries()) {
        const path = `_embedded.contacts.${j}`;
        if (isRecord(contact)) errors.push(...contactErrors(contact, `${path}.`));
        else errors.push({ code: 'InvalidType', path, detail: `${path} must be an object` });
      }
    }
  }
  return errors;
}
