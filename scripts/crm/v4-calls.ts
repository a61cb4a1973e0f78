/**
 * POST /api/v4/calls (https://www.kommo.com/developers/content/api_v4/adding-calls). Pure.
 *
 * The whole body is validated first: any bad call refuses the request (400 validation-errors,
 * nothing added). Then each call is filed on its own:
 *  - the number is matched on its LAST TEN digits against contacts, then companies, and filed
 *    on the matching card's one active lead (no customer), else its one customer (no active
 *    lead), else the card itself: by-phone-algorithm's `matchPhone`, as the docs describe;
 *  - a number that matches nothing: not added, in `errors` ("Entity not found for phone ...");
 *  - a `uniq` Kommo already has (or an earlier call of the same body): not added, in `errors`
 *    ('Call with uniq "..." already exists').
 * The answer is 200 with the added calls in `_embedded.calls` and the rest in `errors`.
 */
import type { CrmAccount } from './account';
import { matchPhone } from './by-phone-algorithm';
import type { ItemErrors } from './v4-answer';
import { ok, validationFailed } from './v4-answer';
import { checkFields, isRecord, optional, requestIdOf } from './v4-fields';
import type { FieldSpec } from './v4-fields';
import { V4_ID_BASE } from './v4-state';
import type { CrmCall, V4Outcome, V4State } from './v4-state';
import { timelineKey } from './timeline';
import type { CardType, CallNote } from './timeline';

/** Kommo's call statuses: 1 left a message .. 7 busy. */
const CALL_SPEC: Record<string, FieldSpec> = {
  direction: { kind: 'string', required: true, oneOf: ['inbound', 'outbound'] },
  duration: { kind: 'int', required: true, min: 0 },
  source: { kind: 'string', required: true, nonEmpty: true },
  phone: { kind: 'string', required: true, nonEmpty: true, digits: true },
  uniq: { kind: 'string', nonEmpty: true },
  link: { kind: 'string' },
  call_status: { kind: 'int', min: 1, max: 7 },
  call_result: { kind: 'string' },
  responsible_user_id: { kind: 'int', min: 1 },
  created_by: { kind: 'int', min: 0 },
  created_at: { kind: 'int', min: 0 },
  updated_by: { kind: 'int', min: 0 },
  updated_at: { kind: 'int', min: 0 },
};

export const CALL_TAIL_DIGITS = 10;

export interface CallError {
  request_id: string;
  status: 400;
  title: string;
  detail: string;
}

export function planCalls(account: CrmAccount, state: V4State, items: unknown[], nowS: number, accountId: number): V4Outcome {
  const invalid: ItemErrors[] = [];
  for (const [i, item] of items.entries()) {
    const errors = isRecord(item) ? checkFields(item, CALL_SPEC) : [{ code: 'InvalidType' as const, path: 'call', detail: 'each call must be an object' }];
    if (errors.length > 0) invalid.push({ request_id: requestIdOf(item, i), errors });
  }
  if (invalid.length > 0) return { answer: validationFailed(invalid) };

  const known = new Set(state.calls.map((c) => c.uniq).filter((u): u is string => u !== null));
  const added: CrmCall[] = [];
  const errors: CallError[] = [];
  for (const [i, raw] of items.entries()) {
    const item = raw as Record<string, unknown>;
    const request_id = requestIdOf(item, i);
    const phone = item.phone as string;
    const uniq = (item.uniq as string | undefined) ?? null;
    if (uniq !== null && known.has(uniq)) {
      errors.push({ request_id, status: 400, title: 'Duplicate call', detail: `Call with uniq "${uniq}" already exists` });
      continue;
    }
    const match = matchPhone(account, phone, { tailDigits: CALL_TAIL_DIGITS, order: ['contact', 'company'] });
    if (!match) {
      errors.push({ request_id, status: 400, title: 'Entity not found', detail: `Entity not found for phone ${phone}` });
      continue;
    }
    const entity: { id: number; type: CardType } =
      match.match === 'card'
        ? { id: match.card.id, type: match.kind === 'contact' ? 'contacts' : 'companies' }
        : { id: match.deal.id, type: match.kind === 'lead' ? 'leads' : 'customers' };
    if (uniq !== null) known.add(uniq);
    added.push({
      id: V4_ID_BASE.call + state.calls.length + added.length,
      entity_id: entity.id,
      entity_type: entity.type,
      request_id,
      direction: item.direction as CrmCall['direction'],
      duration: item.duration as number,
      source: item.source as string,
      phone,
      uniq,
      link: optional<string>(item.link),
      call_status: optional<number>(item.call_status),
      call_result: optional<string>(item.call_result),
      responsible_user_id: optional<number>(item.responsible_user_id),
      created_by: optional<number>(item.created_by),
      created_at: optional<number>(item.created_at) ?? nowS,
    });
  }
  return {
    answer: ok({
      _total_items: added.length,
      _embedded: {
        calls: added.map((c) => ({
          id: c.id,
          entity_id: c.entity_id,
          entity_type: c.entity_type,
          account_id: accountId,
          request_id: c.request_id,
          _links: { self: { href: `/api/v4/calls/${c.id}` } },
        })),
      },
      errors,
    }),
    effects: { calls: added, notes: added.map((c) => ({ key: timelineKey(c.entity_type, c.entity_id), note: callNote(c) })) },
  };
}

function callNote(call: CrmCall): CallNote {
  const { id, direction, duration, phone, source, uniq, link, call_status, call_result, responsible_user_id, created_by, created_at } = call;
  return { kind: 'call', call_id: id, direction, duration, phone, source, uniq, link, call_status, call_result, responsible_user_id, created_by, created_at };
}
