/**
 * What the manager reads after a click, as data: Kommo's `show_message` (`error` false) or
 * `show_message_error`. Pure: the dialer's shell shows it. Whether Kommo renders a message's
 * `text` as HTML is not documented, so `header` and `text` are inert text (core/html.ts): the
 * same read either way, whatever the manager typed or the PBX answered.
 */
import { inertText } from '../core/html';
import { fillTemplate } from '../core/template';
import type { DialOutcome } from './outcome';
import type { DialStrings } from './strings';

const fill = (template: string, values: Record<string, string>) => inertText(fillTemplate(template, values));

export interface DialMessage {
  error: boolean;
  header: string;
  text: string;
}

/** `number`: as the user will recognise it (international format, or what they typed when it is not a number). */
export interface DialContext {
  number: string;
  extension: string | null;
}

export function callingMessage(ctx: DialContext, strings: DialStrings): DialMessage {
  const text = ctx.extension === null ? fill(strings.calling, { number: ctx.number }) : fill(strings.calling_from, { number: ctx.number, extension: ctx.extension });
  return { error: false, header: fill(strings.header, { number: ctx.number }), text };
}

/** The message of a refusal; null for an accepted call (the outbound pop-up comes from the feed). */
export function outcomeMessage(outcome: DialOutcome, ctx: DialContext, strings: DialStrings): DialMessage | null {
  if (outcome.kind === 'accepted') return null;
  const values: Record<string, string> = { number: ctx.number, extension: ctx.extension ?? '?' };
  if (outcome.kind === 'rate_limited') values.seconds = String(outcome.retryAfterS);
  if (outcome.kind === 'pbx_refused') values.reason = outcome.reason;
  if (outcome.kind === 'failed') values.status = outcome.status === 0 ? '-' : String(outcome.status);
  return { error: true, header: fill(strings.header, { number: ctx.number }), text: fill(strings[outcome.kind], values) };
}

/** A message that is not about one request: `still_starting`, `not_running`. */
export function plainMessage(key: 'still_starting' | 'not_running', number: string, strings: DialStrings): DialMessage {
  return { error: true, header: fill(strings.header, { number }), text: fill(strings[key], {}) };
}
