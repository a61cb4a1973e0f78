/**
 * The pop-up of one call, as data. It is decided at the first `ringing` and waits for the
 * lookup at most the budget (then shows the number alone). A call first seen past ringing,
 * ended before the pop-up was due, or shown by a previous leader gets none.
 */
import type { CallEvent } from '../feed/types';
import type { LookupResult } from '../lookup/types';
import type { CallEventBody, NotifyEffect, Step } from './effects';
import { storedNumber } from '../lookup/stored-number';

export type PopupState =
  | { state: 'none' }
  /** Waiting for the lookup, at most the budget; `event` is the ringing event it will show. */
  | { state: 'waiting'; event: CallEvent }
  /** Shown, or posted to Kommo's events in events mode (a failed POST is the shell's to report). */
  | { state: 'shown' }
  /** First seen past ringing, cancelled by `ended`, or shown by a previous leader. */
  | { state: 'skipped' };

export type PopupInput =
  | { kind: 'ringing'; event: CallEvent }
  /** `result` null: the lookup rejected (a bug, not a caller). */
  | { kind: 'lookup-answered'; result: LookupResult | null }
  | { kind: 'budget-over' }
  /** Ended, handed over, or forgotten: no pop-up any more. */
  | { kind: 'cancel' };

export interface PopupConfig {
  /** How long the pop-up waits for the lookup (ms). */
  popupBudgetMs: number;
  mode: 'widget' | 'events';
  /** Events mode has a way to POST. */
  canPost: boolean;
  /** The Kommo user the event is for. */
  userId: string;
}

export function stepPopup(state: PopupState, input: PopupInput, config: PopupConfig): Step<PopupState> {
  if (state.state === 'none') {
    if (input.kind === 'ringing') return { state: { state: 'waiting', event: input.event }, effects: [{ kind: 'set-timer', timer: 'popup', callId: input.event.callId, ms: config.popupBudgetMs }] };
    if (input.kind === 'cancel') return { state: { state: 'skipped' }, effects: [] };
  } else if (state.state === 'waiting' && input.kind !== 'ringing') {
    const { event } = state;
    const clear: NotifyEffect = { kind: 'clear-timer', timer: 'popup', callId: event.callId };
    if (input.kind === 'cancel') return { state: { state: 'skipped' }, effects: [clear] };
    if (input.kind === 'budget-over') return { state: { state: 'shown' }, effects: decide(event, null, config) };
    return { state: { state: 'shown' }, effects: [clear, ...decide(event, input.result, config, input.result === null)] };
  }
  // One decision per call: a late lookup answer or a repeated ring changes nothing.
  return { state, effects: [] };
}

/** The widget's own pop-up, or in events mode a POST that makes Kommo show its own. `rejected`: the lookup rejected (a bug). */
function decide(event: CallEvent, result: LookupResult | null, config: PopupConfig, rejected = false): NotifyEffect[] {
  const popup: NotifyEffect = rejected ? { kind: 'show-popup', event, result, rejected: true } : { kind: 'show-popup', event, result };
  // Internal and non-numbers: Kommo cannot match them, so the widget's own pop-up says it.
  const viaEvents = config.mode === 'events' && result?.kind !== 'internal' && result?.kind !== 'invalid';
  if (!viaEvents) return [popup];
  if (config.canPost) return [{ kind: 'post-event', event, result, body: callEventBody(event, result, config.userId) }];
  return [{ kind: 'warn', message: 'notify: no way to post events; pop-up instead' }, popup];
}

/** The number as the lookup read it (E.164, or the digits as sent when it names no country), else as the PBX sent it. */
export function callEventBody(event: CallEvent, result: LookupResult | null, userId: string): CallEventBody {
  const number = result && 'number' in result ? result.number : undefined;
  const phoneNumber = number ? storedNumber(number) : String(event.phone ?? '').trim();
  const user = /^\d+$/.test(userId) ? Number(userId) : userId;
  return { add: [{ type: 'phone_call', phone_number: phoneNumber, users: [user] }] };
}
