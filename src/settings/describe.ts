/**
 * Problems -> sentences in the user's language. Pure: the `settings` i18n section comes in as a
 * lookup function or as the section object itself (`this.i18n('settings')`).
 */
import type { SettingsProblem } from './types';
import { inertText } from '../core/html';
import { fillTemplate as fill } from '../core/template';


export type SettingsStrings = ((key: string) => string | undefined) | Record<string, unknown>;

export interface DescribedProblems {
  /** `save_refused`, for the refusal message's header; inert text too. */
  header: string;
  errors: string[];
  warnings: string[];
  /** Errors then warnings, one per line, plain text. */
  text: string;
  /**
   * The same as inert text (core/html.ts), for Kommo's `show_message_error`: whether Kommo renders
   * it as text or HTML is not documented, and without `<`, `>`, `&` it reads the same either way
   * (escaping it instead showed `now &quot;abc&quot;` where the host renders text).
   */
  inert: string;
}

function lookup(strings: SettingsStrings, key: string): string | undefined {
  const value = typeof strings === 'function' ? strings(key) : strings[key];
  // A lookup function that answers the key itself has no string for it.
  return typeof value === 'string' && value !== '' && value !== key ? value : undefined;
}

export interface DescribeOptions {
  /** A Kommo user's name for the `{{user}}` placeholder (ids are what the setting stores). */
  userName?(userId: string): string | undefined;
}

function withUserName(params: Record<string, string> | undefined, options: DescribeOptions): Record<string, string> | undefined {
  const id = params?.user;
  const name = id !== undefined ? options.userName?.(id) : undefined;
  return name ? { ...params, user: `${name} (${id})` } : params;
}

/** One problem in the user's language; a missing string still says which check failed. */
export function describeProblem(problem: SettingsProblem, strings: SettingsStrings, options: DescribeOptions = {}): string {
  const template = lookup(strings, problem.key);
  if (template) return fill(template, withUserName(problem.params, options));
  const params = Object.entries(problem.params ?? {}).map(([name, value]) => `${name}=${value}`);
  return `${problem.field}: ${problem.key}${params.length ? ` (${params.join(', ')})` : ''}`;
}

export function describeProblems(problems: readonly SettingsProblem[], strings: SettingsStrings, options: DescribeOptions = {}): DescribedProblems {
  const errors = problems.filter((p) => p.severity === 'error').map((p) => describeProblem(p, strings, options));
  const warnings = problems.filter((p) => p.severity === 'warning').map((p) => describeProblem(p, strings, options));
  const lines = [...errors, ...warnings];
  return {
    header: inertText(lookup(strings, 'save_refused') ?? 'Settings not saved'),
    errors,
    warnings,
    text: lines.join('\n'),
    inert: inertText(lines.join('\n')),
  };
}
