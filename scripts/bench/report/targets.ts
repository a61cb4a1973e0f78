/** Target lines: a limit, the measured figure beside it, pass/fail. Pure. */
import type { Figure, Section, Target } from './types';

export function notMeasured(label: string, limit: string, why: string): Target {
  return { label, limit, figure: `not measured: ${why}`, verdict: 'not measured' };
}

/** `value <= limit` passes; null is "not measured" with the reason. */
export function atMost(label: string, limit: number, unit: string, value: number | null, detail = '', why = 'no figure'): Target {
  if (value === null || !Number.isFinite(value)) return notMeasured(label, `<= ${limit} ${unit}`, why);
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return { label, limit: `<= ${limit} ${unit}`, figure: `${shown} ${unit}${detail ? ` (${detail})` : ''}`, verdict: value <= limit ? 'pass' : 'fail' };
}

/** Every value equal to `expected`; the figure lists them. */
export function allEqual(label: string, expected: number, unit: string, values: Array<{ what: string; value: number | null }>, why = 'no figure'): Target {
  const known = values.filter((v): v is { what: string; value: number } => v.value !== null);
  if (known.length === 0) return notMeasured(label, `${expected} ${unit}`, why);
  const off = known.filter((v) => v.value !== expected);
  const figure = off.length === 0 ? `${expected} in all ${known.length} cases (${known.map((v) => v.what).join('; ')})` : `${off.map((v) => `${v.what}: ${v.value}`).join('; ')}`;
  return { label, limit: `${expected} ${unit}`, figure, verdict: off.length === 0 ? 'pass' : 'fail' };
}

/** Figures of a section whose label matches. */
export function figuresMatching(sections: Section[], title: RegExp, label: RegExp): Figure[] {
  return sections.filter((s) => title.test(s.title)).flatMap((s) => s.figures.filter((f) => label.test(f.label)));
}
