/** The one check for "a JSON object" (not null, not an array): every parser of outside input uses it. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
