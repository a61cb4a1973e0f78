/**
 * One click-to-call request, start to end (docs/originate.md): the number normalised with the
 * account's country, "Calling ... from your phone (101)..." at once, `POST <relay>/originate` as
 * the signed-in user, and the refusal, if any, in the user's language. It lives in leader.js,
 * beside libphonenumber; the tab that is clicked fetches it then (src/app/click-to-call.ts).
 */
import type { Logger } from '../core/logger';
import { inertText } from '../core/html';
import { fillTemplate } from '../core/template';
import { normalizeNumber } from '../lookup/normalize';
import { callingMessage, outcomeMessage, plainMessage } from './message';
import type { DialMessage } from './message';
import { readOriginateAnswer } from './outcome';
import type { DialOutcome, RelayAnswer } from './outcome';
import { dialStringsFrom } from './strings';
import type { DialStrings } from './strings';

/** What the widget sends; `extension` only when this tab knows the user's. */
export interface OriginateBody {
  number: string;
  extension?: string;
}

/** `POST url` with a JSON body as the signed-in user (Kommo's one-time token), plus `Authorization: Bearer` when given. Never rejects. */
export type OriginatePost = (url: string, body: OriginateBody, bearer: string | null) => Promise<RelayAnswer>;

export interface DialerDeps {
  /** False: the widget does not run here (settings missing or wrong); every click says so. */
  running: boolean;
  /** The account's default country (the `country` setting). */
  country?: string;
  /** `<relay>/originate`; null when the settings name no relay. */
  originateUrl: string | null;
  post: OriginatePost;
  /** The shared token setting, for a relay without per-user tickets ('' when empty). */
  token: string;
  /** The user's extension as this tab knows it (the `phones` setting, the leader's ticket); null: the relay picks. */
  extension: string | null;
  /** The i18n `dial` section (`this.i18n('dial')`); English where a text is missing. */
  texts: Record<string, unknown> | undefined;
  show(message: DialMessage): void;
  logger: Logger;
}

export interface Dialer {
  /** Resolves when the relay answered (or the click was refused first); never rejects. */
  dial(raw: string): Promise<DialOutcome | null>;
  /** Tells the manager a call is still being started. */
  stillStarting(raw: string): void;
}

export type CreateDialer = (deps: DialerDeps) => Dialer;

/**
 * The number to send and to show: E.164 and its international form, or an internal extension.
 * `needs_country_code`: digits that are no number of the default country, typed without `+`
 * or `00`; they are not dialled as whichever country they would read as (`84951234567`, Moscow
 * with the trunk `8`, with country US would ring Vietnam).
 */
function target(raw: string, country: string | undefined): { send: string; shown: string } | 'needs_country_code' | null {
  const normalized = normalizeNumber(raw, country);
  if (normalized.kind === 'number') {
    const { number } = normalized;
    return number.hasCountry ? { send: number.e164, shown: number.international } : 'needs_country_code';
  }
  if (normalized.kind === 'internal') return { send: normalized.extension, shown: normalized.extension };
  return null;
}

/** The refusal of a number without its country code (inert text, like every dialer message: message.ts). */
function needsCountryCode(number: string, strings: DialStrings): DialMessage {
  const fill = (template: string) => inertText(fillTemplate(template, { number }));
  return { error: true, header: fill(strings.header), text: fill(strings.needs_country_code) };
}

export const createDialer: CreateDialer = (deps) => {
  const strings = dialStringsFrom(deps.texts);
  const show = (message: DialMessage | null) => {
    if (message === null) return;
    try {
      deps.show(message);
    } catch (error) {
      deps.logger.error('dial: the message could not be shown', { error });
    }
  };
  const typed = (raw: string) => raw.trim().slice(0, 64);
  return {
    async dial(raw) {
      if (!deps.running) {
        show(plainMessage('not_running', typed(raw), strings));
        return null;
      }
      const number = target(raw, deps.country);
      if (number === 'needs_country_code') {
        // Nothing is sent: for the relay and the caller it is a number it cannot dial as typed.
        show(needsCountryCode(typed(raw), strings));
        return { kind: 'not_a_number' };
      }
      if (number === null) {
        const outcome: DialOutcome = { kind: 'not_a_number' };
        show(outcomeMessage(outcome, { number: typed(raw), extension: null }, strings));
        return outcome;
      }
      const ctx = { number: number.shown, extension: deps.extension };
      if (deps.originateUrl === null) {
        const outcome: DialOutcome = { kind: 'disabled' };
        show(outcomeMessage(outcome, ctx, strings));
        return outcome;
      }
      show(callingMessage(ctx, strings));
      const body: OriginateBody = deps.extension === null ? { number: number.send } : { number: number.send, extension: deps.extension };
      let answer: RelayAnswer;
      try {
        answer = await deps.post(deps.originateUrl, body, deps.token === '' ? null : deps.token);
      } catch (error) {
        deps.logger.warn('dial: the request failed', { error });
        answer = { status: 0, body: null };
      }
      const outcome = readOriginateAnswer(answer);
      if (outcome.kind === 'accepted') deps.logger.info('dial: the PBX is calling', { extension: outcome.extension });
      else deps.logger.warn('dial: refused', { outcome: outcome.kind, status: answer.status });
      show(outcomeMessage(outcome, { number: number.shown, extension: deps.extension ?? (outcome.kind === 'accepted' ? outcome.extension : null) }, strings));
      return outcome;
    },
    stillStarting(raw) {
      show(plainMessage('still_starting', typed(raw), strings));
    },
  };
};
