/**
 * The completed-call notification of one call (add_call), as data: filed once, at the first
 * `ended`, with the lookup's answer; a lookup still running gets the budget, then the call is
 * filed by number.
 */
import type { CallEvent } from '../feed/types';
import type { LookupResult } from '../lookup/types';
import type { NotifyEffect, Step } from './effects';
import { callOutcome } from './completed';

export type LookupState = { state: 'pending' } | { state: 'done'; result: LookupResult | null };

export type FilingState =
  | { state: 'none' }
  /** Ended; waiting for the lookup, at most the budget. `event` is the ended event it files. */
  | { state: 'waiting'; event: CallEvent }
  /** Filed, or given up on (vanished, forgotten): the call's story is over. */
  | { state: 'done' };

export type FilingInput =
  | { kind: 'ended'; event: CallEvent; lookup: LookupState }
  | { kind: 'lookup-answered'; result: LookupResult | null }
  | { kind: 'budget-over' }
  | { kind: 'cancel' };

export interface FilingConfig {
  /** How long an ended call waits for its lookup (ms). */
  filingBudgetMs: number;
}

export function stepFiling(state: FilingState, input: FilingInput, config: FilingConfig): Step<FilingState> {
  const done = (...effects: NotifyEffect[]): Step<FilingState> => ({ state: { state: 'done' }, effects });
  if (state.state === 'none') {
    if (input.kind === 'cancel') return done();
    if (input.kind === 'ended') {
      const { event, lookup } = input;
      if (lookup.state === 'done') return done({ kind: 'file-call', event, result: lookup.result });
      return { state: { state: 'waiting', event }, effects: [{ kind: 'set-timer', timer: 'filing', callId: event.callId, ms: config.filingBudgetMs }] };
    }
  } else if (state.state === 'waiting' && input.kind !== 'ended') {
    // (A repeated `ended`, a replay or a snapshot, neither files twice nor restarts the budget.)
    const { event } = state;
    const clear: NotifyEffect = { kind: 'clear-timer', timer: 'filing', callId: event.callId };
    if (input.kind === 'budget-over') return done({ kind: 'file-call', event, result: null });
    return input.kind === 'cancel' ? done(clear) : done(clear, { kind: 'file-call', event, result: input.result });
  }
  return { state, effects: [] };
}

/**
 * The filing's effects, each filed call that was an inbound one missed followed by its missed
 * pop-up, unless it ended longer than `maxAgeMs` ago (a replay after an outage: the bell has it).
 */
export function withMissedPopups(effects: NotifyEffect[], now: number, maxAgeMs: number): NotifyEffect[] {
  return effects.flatMap((effect) =>
    effect.kind === 'file-call' && callOutcome(effect.event) === 'missed' && now - effect.event.at <= maxAgeMs
      ? [effect, { kind: 'show-missed', event: effect.event, result: effect.result } satisfies NotifyEffect]
      : [effect],
  );
}
