/**
 * Field checks for v4 request bodies: a spec per field, every failure collected (Kommo names
 * every bad field, not just the first). Pure.
 */
import type { FieldError } from './v4-answer';
import { digitsOf } from './by-phone-algorithm';

export type FieldSpec =
  | { kind: 'string'; required?: boolean; nonEmpty?: boolean; oneOf?: readonly string[]; digits?: boolean }
  | { kind: 'int'; required?: boolean; min?: number; max?: number }
  | { kind: 'bool'; required?: boolean }
  | { kind: 'object'; required?: boolean }
  | { kind: 'array'; required?: boolean; nonEmpty?: boolean };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The errors of `item` against `specs`; field paths get `prefix` (`metadata.`). */
export function checkFields(item: Record<string, unknown>, specs: Record<string, FieldSpec>, prefix = ''): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const path = `${prefix}${name}`;
    const value = item[name];
    if (value === undefined || value === null) {
      if (spec.required) errors.push({ code: 'NotBlank', path, detail: `${path} is required` });
      continue;
    }
    const error = checkValue(value, spec, path);
    if (error) errors.push(error);
  }
  return errors;
}

function checkValue(value: unknown, spec: FieldSpec, path: string): FieldError | null {
  const invalid = (what: string): FieldError => ({ code: 'InvalidType', path, detail: `${path} must be ${what}` });
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') return invalid('a string');
      if (spec.nonEmpty && value.trim() === '') return { code: 'NotBlank', path, detail: `${path} must not be empty` };
      if (spec.oneOf && !spec.oneOf.includes(value)) return { code: 'NotSupportedChoice', path, detail: `${path} must be one of ${spec.oneOf.join(', ')}` };
      if (spec.digits && digitsOf(value) === '') return invalid('a phone number (digits)');
      return null;
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return invalid('an integer');
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        return { code: 'OutOfRange', path, detail: `${path} must be from ${spec.min ?? '-∞'} to ${spec.max ?? '∞'}` };
      }
      return null;
    case 'bool':
      return typeof value === 'boolean' ? null : invalid('true or false');
    case 'object':
      return isRecord(value) ? null : invalid('an object');
    case 'array':
      if (!Array.isArray(value)) return invalid('an array');
      if (spec.nonEmpty && value.length === 0) return { code: 'NotBlank', path, detail: `${path} must not be empty` };
      return null;
  }
}

/** The item's `request_id` when it sent one, else its index (what Kommo echoes). */
export function requestIdOf(item: unknown, index: number): string {
  const id = isRecord(item) ? item.request_id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : String(index);
}

/** An optional field already checked by `checkFields`: its value, or null when absent. */
export function optional<T>(value: unknown): T | null {
  return value === undefined || value === null ? null : (value as T);
}
