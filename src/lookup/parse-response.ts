/**
 * Parses the body of `GET /api/v2/search/by_phone` (pure).
 * https://developers.kommo.com/docs/caller-id : `_embedded.items[0]` is one entity; `type` 1
 * contact, 3 company, or 2 lead / 12 customer with `phone_entity` (the contact/company that holds
 * the number). "Otherwise it will return an empty array": `[]`, no `_embedded`, or empty
 * `items` all mean not found. Anything else that is not this shape is a ProtocolError.
 */
import { ProtocolError } from '../core/errors';
import { cardUrl } from './card-url';
import { displayName } from './display-name';
import type { CrmEntity, EntityType } from './types';
import { isRecord } from '../protocol/record';

export type ByPhoneParse =
  | { kind: 'found'; entity: CrmEntity; phoneEntity?: CrmEntity }
  | { kind: 'not_found' }
  | { kind: 'error'; error: ProtocolError };

export interface ByPhoneNames {
  /** "Lead #ID" / "Customer #ID" in the user's language. */
  unnamed(type: 'lead' | 'customer', id: number): string;
  /** A contact/company without a name (Kommo allows it) is shown as the number instead. */
  fallback: string;
}

const ENTITY_TYPES: Record<string, EntityType> = { '1': 'contact', '2': 'lead', '3': 'company', '12': 'customer' };

export function parseByPhoneBody(body: unknown, names: ByPhoneNames): ByPhoneParse {
  if (body === null || body === undefined || body === '') return { kind: 'not_found' };
  if (Array.isArray(body)) {
    return body.length === 0 ? { kind: 'not_found' } : fail('by_phone answered an array instead of an object', body);
  }
  if (!isRecord(body)) return fail('by_phone answered a non-object', body);

  const embedded = body._embedded;
  if (embedded === undefined || embedded === null || (Array.isArray(embedded) && embedded.length === 0)) return { kind: 'not_found' };
  if (!isRecord(embedded)) return fail('by_phone: _embedded is not an object', body);
  const items = embedded.items;
  if (items === undefined || items === null) return { kind: 'not_found' };
  // PHP serialises a list with gaps as an object ({"0": {...}}): accept both.
  const list = Array.isArray(items) ? items : isRecord(items) ? Object.values(items) : undefined;
  if (list === undefined) return fail('by_phone: _embedded.items is not a list', body);
  if (list.length === 0) return { kind: 'not_found' };

  const first: unknown = list[0];
  const entity = parseEntity(first, names);
  if (typeof entity === 'string') return fail(`by_phone: item 0: ${entity}`, body);

  if (entity.type === 'lead' || entity.type === 'customer') {
    // The holder of the number is a bonus for the pop-up text: a malformed one is left out
    // rather than losing the lead/customer itself.
    const holder = isRecord(first) ? parseEntity(first.phone_entity, names) : 'missing';
    if (typeof holder !== 'string' && (holder.type === 'contact' || holder.type === 'company')) {
      return { kind: 'found', entity, phoneEntity: holder };
    }
  }
  return { kind: 'found', entity };
}

/** An entity, or a string saying what is wrong with it. */
function parseEntity(item: unknown, names: ByPhoneNames): CrmEntity | string {
  if (!isRecord(item)) return 'not an object';
  const id = positiveInt(item.id);
  if (id === undefined) return `bad id ${short(item.id)}`;
  const type = typeof item.type === 'number' || typeof item.type === 'string' ? ENTITY_TYPES[String(item.type)] : undefined;
  if (type === undefined) return `unknown type ${short(item.type)}`;

  // Display-ready here, once, for the pop-up and the call notification alike (display-name.ts).
  const rawName = typeof item.name === 'string' ? displayName(item.name) : '';
  const name = rawName !== '' ? rawName : type === 'lead' || type === 'customer' ? names.unnamed(type, id) : names.fallback;
  const entity: CrmEntity = { id, type, name, url: cardUrl(type, id) };
  const responsible = positiveInt(item.responsible_user_id);
  if (responsible !== undefined) entity.responsibleUserId = responsible;
  return entity;
}

/** Kommo's v2 API sometimes sends ids as strings. */
function positiveInt(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}


function short(value: unknown, max = 40): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function fail(message: string, body: unknown): ByPhoneParse {
  return { kind: 'error', error: new ProtocolError(message, { body: short(body, 200) }) };
}
