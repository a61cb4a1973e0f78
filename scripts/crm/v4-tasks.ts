/**
 * /api/v4/tasks (https://www.kommo.com/developers/content/crm_platform/tasks-api). Pure.
 *  GET    filter[entity_type], filter[entity_id][], filter[is_completed] (0/1),
 *         filter[task_type][], filter[responsible_user_id][] (each also without `[]`); `limit`
 *         (default 50, at most 250) and `page`. By id, ascending; 204 when none. An open task's
 *         `result` is `[]`, as Kommo sends it; a completed one's `{text}`.
 *  POST   [{text, complete_till, entity_id, entity_type, task_type_id, responsible_user_id}]:
 *         entity_id and entity_type come together and name a card of the account (a task on no
 *         card is allowed); task_type_id defaults to 1 (call), the responsible user to the first user.
 *  PATCH  [{id, is_completed, result: {text}, text?, complete_till?}]: an unknown id refuses the
 *         whole request (400 validation-errors).
 * Any bad item refuses the request; set and completed tasks go on their card's timeline.
 */
import type { CrmAccount } from './account';
import { NO_CONTENT, ok, problem, validationFailed } from './v4-answer';
import type { FieldError, ItemErrors, V4Answer } from './v4-answer';
import { findCard } from './v4-cards';
import { checkFields, isRecord, optional, requestIdOf } from './v4-fields';
import { usersOf } from './v4-users';
import { V4_ID_BASE } from './v4-state';
import type { CrmTask, V4Effects, V4Outcome, V4State } from './v4-state';
import { CARD_TYPES, timelineKey } from './timeline';
import type { CardType } from './timeline';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 250;
const COMPLETED_VALUES: Record<string, boolean> = { '0': false, false: false, '1': true, true: true };

export function tasksAnswer(state: V4State, query: URLSearchParams): V4Answer {
  const types = listParam(query, 'filter[entity_type]');
  const badType = types.find((t) => !CARD_TYPES.includes(t as CardType));
  if (badType !== undefined) return problem(400, `filter[entity_type] must be one of ${CARD_TYPES.join(', ')}, got ${JSON.stringify(badType)}`);
  const ids = intsParam(query, 'filter[entity_id]');
  const taskTypes = intsParam(query, 'filter[task_type]');
  const users = intsParam(query, 'filter[responsible_user_id]');
  if (ids === null || taskTypes === null || users === null) {
    const name = ids === null ? 'filter[entity_id]' : taskTypes === null ? 'filter[task_type]' : 'filter[responsible_user_id]';
    return problem(400, `${name} must be positive integers`);
  }
  const completedText = query.get('filter[is_completed]');
  const completed = completedText === null ? null : COMPLETED_VALUES[completedText];
  if (completed === undefined) return problem(400, 'filter[is_completed] must be 0 or 1');
  const limit = query.get('limit') === null ? DEFAULT_LIMIT : Number(query.get('limit'));
  const page = query.get('page') === null ? 1 : Number(query.get('page'));
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) return problem(400, `limit must be from 1 to ${MAX_LIMIT}`);
  if (!Number.isSafeInteger(page) || page < 1) return problem(400, 'page must be a positive integer');

  const matching = state.tasks
    .filter(
      (t) =>
        (types.length === 0 || (t.entity_type !== null && types.includes(t.entity_type))) &&
        (ids.length === 0 || (t.entity_id !== null && ids.includes(t.entity_id))) &&
        (taskTypes.length === 0 || taskTypes.includes(t.task_type_id)) &&
        (users.length === 0 || users.includes(t.responsible_user_id)) &&
        (completed === null || t.is_completed === completed),
    )
    .sort((a, b) => a.id - b.id);
  const shown = matching.slice((page - 1) * limit, page * limit);
  if (shown.length === 0) return NO_CONTENT;
  const pageHref = (n: number) => {
    const params = new URLSearchParams(query);
    params.set('page', String(n));
    params.set('limit', String(limit));
    return `/api/v4/tasks?${params.toString()}`;
  };
  const links: Record<string, { href: string }> = { self: { href: pageHref(page) } };
  if (matching.length > page * limit) links.next = { href: pageHref(page + 1) };
  return ok({ _page: page, _links: links, _embedded: { tasks: shown.map(taskJson) } });
}

export function planTasksAdd(account: CrmAccount, state: V4State, items: unknown[], nowS: number): V4Outcome {
  const invalid: ItemErrors[] = [];
  for (const [i, item] of items.entries()) {
    const errors = isRecord(item) ? newTaskErrors(account, item) : [notObject()];
    if (errors.length > 0) invalid.push({ request_id: requestIdOf(item, i), errors });
  }
  if (invalid.length > 0) return { answer: validationFailed(invalid) };
  const fallbackUser = usersOf(account)[0]?.id ?? 0;
  const tasks: CrmTask[] = items.map((raw, i) => {
    const item = raw as Record<string, unknown>;
    return {
      id: V4_ID_BASE.task + state.tasks.length + i,
      text: item.text as string,
      entity_id: optional<number>(item.entity_id),
      entity_type: optional<CardType>(item.entity_type),
      task_type_id: optional<number>(item.task_type_id) ?? 1,
      responsible_user_id: optional<number>(item.responsible_user_id) ?? fallbackUser,
      complete_till: item.complete_till as number,
      is_completed: false,
      result_text: null,
      created_at: nowS,
      updated_at: nowS,
    };
  });
  const notes: NonNullable<V4Effects['notes']> = [];
  for (const t of tasks) {
    if (t.entity_type === null || t.entity_id === null) continue;
    notes.push({
      key: timelineKey(t.entity_type, t.entity_id),
      note: { kind: 'task', task_id: t.id, text: t.text, task_type_id: t.task_type_id, responsible_user_id: t.responsible_user_id, complete_till: t.complete_till, created_at: nowS },
    });
  }
  return {
    answer: ok({ _embedded: { tasks: tasks.map((t, i) => ({ id: t.id, request_id: requestIdOf(items[i], i), _links: { self: { href: `/api/v4/tasks/${t.id}` } } })) } }),
    effects: { tasks, notes },
  };
}

export function planTasksUpdate(state: V4State, items: unknown[], nowS: number): V4Outcome {
  const current = new Map(state.tasks.map((t) => [t.id, t]));
  const invalid: ItemErrors[] = [];
  for (const [i, item] of items.entries()) {
    const errors = isRecord(item) ? updateErrors(current, item) : [notObject()];
    if (errors.length > 0) invalid.push({ request_id: requestIdOf(item, i), errors });
  }
  if (invalid.length > 0) return { answer: validationFailed(invalid) };
  const notes: NonNullable<V4Effects['notes']> = [];
  const updated = items.map((raw) => {
    const item = raw as Record<string, unknown>;
    const task = current.get(item.id as number) as CrmTask;
    const resultText = isRecord(item.result) ? optional<string>(item.result.text) : null;
    const next: CrmTask = {
      ...task,
      text: optional<string>(item.text) ?? task.text,
      complete_till: optional<number>(item.complete_till) ?? task.complete_till,
      responsible_user_id: optional<number>(item.responsible_user_id) ?? task.responsible_user_id,
      task_type_id: optional<number>(item.task_type_id) ?? task.task_type_id,
      is_completed: optional<boolean>(item.is_completed) ?? task.is_completed,
      result_text: resultText ?? task.result_text,
      updated_at: nowS,
    };
    if (next.is_completed && !task.is_completed && next.entity_type !== null && next.entity_id !== null) {
      notes.push({ key: timelineKey(next.entity_type, next.entity_id), note: { kind: 'task_completed', task_id: next.id, result_text: next.result_text, created_at: nowS } });
    }
    current.set(next.id, next);
    return next;
  });
  return {
    answer: ok({ _embedded: { tasks: updated.map((t, i) => ({ id: t.id, updated_at: t.updated_at, request_id: requestIdOf(items[i], i) })) } }),
    effects: { tasks: updated, notes },
  };
}

function taskJson(t: CrmTask): Record<string, unknown> {
  return {
    id: t.id,
    text: t.text,
    entity_id: t.entity_id,
    entity_type: t.entity_type,
    task_type_id: t.task_type_id,
    responsible_user_id: t.responsible_user_id,
    complete_till: t.complete_till,
    is_completed: t.is_completed,
    result: t.result_text === null ? [] : { text: t.result_text },
    created_at: t.created_at,
    updated_at: t.updated_at,
    _links: { self: { href: `/api/v4/tasks/${t.id}` } },
  };
}

function newTaskErrors(account: CrmAccount, item: Record<string, unknown>): FieldError[] {
  const errors = checkFields(item, {
    text: { kind: 'string', required: true, nonEmpty: true },
    complete_till: { kind: 'int', required: true, min: 0 },
    entity_id: { kind: 'int', min: 1 },
    entity_type: { kind: 'string', oneOf: CARD_TYPES },
    task_type_id: { kind: 'int', min: 1 },
    responsible_user_id: { kind: 'int', min: 1 },
    duration: { kind: 'int', min: 0 },
  });
  if (errors.some((e) => e.path === 'entity_id' || e.path === 'entity_type')) return errors;
  const hasId = item.entity_id !== undefined && item.entity_id !== null;
  const hasType = item.entity_type !== undefined && item.entity_type !== null;
  if (hasId !== hasType) {
    const path = hasId ? 'entity_type' : 'entity_id';
    errors.push({ code: 'NotBlank', path, detail: `${path} is required with ${hasId ? 'entity_id' : 'entity_type'}` });
  } else if (hasId && !findCard(account, item.entity_type as CardType, item.entity_id as number)) {
    errors.push({ code: 'NotFound', path: 'entity_id', detail: `${String(item.entity_type)} ${String(item.entity_id)} not found` });
  }
  return errors;
}

function updateErrors(tasks: Map<number, CrmTask>, item: Record<string, unknown>): FieldError[] {
  const errors = checkFields(item, {
    id: { kind: 'int', required: true, min: 1 },
    is_completed: { kind: 'bool' },
    text: { kind: 'string', nonEmpty: true },
    complete_till: { kind: 'int', min: 0 },
    responsible_user_id: { kind: 'int', min: 1 },
    task_type_id: { kind: 'int', min: 1 },
    result: { kind: 'object' },
  });
  if (isRecord(item.result)) errors.push(...checkFields(item.result, { text: { kind: 'string' } }, 'result.'));
  if (errors.length === 0 && !tasks.has(item.id as number)) errors.push({ code: 'NotFound', path: 'id', detail: `task ${String(item.id)} not found` });
  return errors;
}

function notObject(): FieldError {
  return { code: 'InvalidType', path: 'task', detail: 'each task must be an object' };
}

/** `name[]=a&name[]=b` or `name=a` (Kommo takes both). */
function listParam(query: URLSearchParams, name: string): string[] {
  return [...query.getAll(`${name}[]`), ...query.getAll(name)].flatMap((v) => v.split(',')).filter((v) => v !== '');
}

/** Null when any value is not a positive integer. */
function intsParam(query: URLSearchParams, name: string): number[] | null {
  const values = listParam(query, name).map(Number);
  return values.every((v) => Number.isSafeInteger(v) && v > 0) ? values : null;
}
