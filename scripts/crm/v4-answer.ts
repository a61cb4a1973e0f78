/**
 * What a v4 route answers, as data: the pure v4 modules return a V4Answer and v4-routes.ts
 * writes it. Errors are Kommo's problem+json: `{title, type, status, detail}`, and for a body
 * that fails validation `validation-errors: [{request_id, errors: [{code, path, detail}]}]`.
 */
import { titleOf } from './http-io';

export interface V4Answer {
  status: number;
  /** Absent: no body (204). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** One field of one item that failed validation; `path` names the field (`metadata.uniq`). */
export interface FieldError {
  code: 'NotBlank' | 'InvalidType' | 'NotSupportedChoice' | 'OutOfRange' | 'NotFound' | 'NotUnique';
  path: string;
  detail: string;
}

export interface ItemErrors {
  request_id: string;
  errors: FieldError[];
}

export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

export function ok(body: unknown): V4Answer {
  return { status: 200, body };
}

export const NO_CONTENT: V4Answer = { status: 204 };

export function problem(status: number, detail: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): V4Answer {
  return {
    status,
    body: { title: titleOf(status), type: `https://httpstatus.es/${status}`, status, detail, ...extra },
    headers: { 'Content-Type': PROBLEM_TYPE, ...headers },
  };
}

/** 400 naming every bad field of every item; nothing of the request was applied. */
export function validationFailed(items: ItemErrors[], detail = 'Request validation failed'): V4Answer {
  return problem(400, detail, {}, { 'validation-errors': items });
}
