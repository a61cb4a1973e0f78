/**
 * The pop-up of one call, as data. It is decided at the first `ringing` and waits for the
 * lookup at most the budget (then shows the number alone). A call first seen past ringing,
 * ended before the pop-up was due, or shown by a previous leader gets none.
 */
import type { CallEvent } from '../feed/types';
import type { LookupResult } from '../lookup/types';
import type { CallEventBody, NotifyEffect, Step } from './effects';

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
    return { state: { state: 'shown' }, effects: input.kind === 'budget-over' ? decide(event, null, config) : [clear, ...decide(event, input.result, config)] };
  }
  // One decision per call: a late lookup answer or a repeated ring changes nothing.
  return { state, effects: [] };
}

/** The widget's own pop-up, or in events mode a POST that makes Kommo show its own. */
function decide(event: CallEvent, result: LookupResult | null, config: PopupConfig): NotifyEffect[] {
  // Internal and non-numbers: Kommo cannot match them, so the widget's own pop-up says it.
  const viaEvents = config.mode === 'events' && result?.kind !== 'internal' && result?.kind !== 'invalid';
  if (!viaEvents) return [{ kind: 'show-popup', event, result }];
  if (config.canPost) return [{ kind: 'post-event', event, result, body: callEventBody(event, result, config.userId) }];
  return [{ kind: 'warn', message: 'notify: no way to post events; pop-up instead' }, { kind: 'show-popup', event, result }];
}

export function callEventBody(event: CallEvent, result: LookupResult | null, userId: string): CallEventBody {
  const e164 = result && 'number' in result ? result.number?.e164 : undefined;
  const phoneNumber = typeof e164 === 'string' ? e164 : String(event.phone ?? '').trim();
  const user = /^\d+$/.test(userId) ? Number(userId) : userId;
  return { add: [{ type: 'phone_call', phone_number: phoneNumber, users: [user] }] };
}
