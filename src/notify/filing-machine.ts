/**
 * The completed-call notification of one call (add_call), as data: filed once, at the first
 * `ended`, with the lookup's answer; a lookup still running gets the budget, then the call is
 * filed by number.
 */
import type { CallEvent } from '../feed/types';
import type { LookupResult } from '../lookup/types';
import type { Step } from './effects';

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
  switch (state.state) {
    case 'none':
      if (input.kind === 'ended') {
        const { event, lookup } = input;
        if (lookup.state === 'done') return { state: { state: 'done' }, effects: [{ kind: 'file-call', event, result: lookup.result }] };
        return { state: { state: 'waiting', event }, effects: [{ kind: 'set-timer', timer: 'filing', callId: event.callId, ms: config.filingBudgetMs }] };
      }
      return input.kind === 'cancel' ? { state: { state: 'done' }, effects: [] } : { state, effects: [] };
    case 'waiting': {
      const { event } = state;
      switch (input.kind) {
        case 'ended':
          // A repeated `ended` (a replay, a snapshot) neither files twice nor restarts the budget.
          return { state, effects: [] };
        case 'lookup-answered':
          return {
            state: { state: 'done' },
            effects: [
              { kind: 'clear-timer', timer: 'filing', callId: event.callId },
              { kind: 'file-call', event, result: input.result },
            ],
          };
        case 'budget-over':
          return { state: { state: 'done' }, effects: [{ kind: 'file-call', event, result: null }] };
        case 'cancel':
          return { state: { state: 'done' }, effects: [{ kind: 'clear-timer', timer: 'filing', callId: event.callId }] };
      }
    }
    case 'done':
      return { state, effects: [] };
  }
}
