/**
 * Runs a pure state machine: each input goes through `step`, then the shell performs the effects
 * in order. An effect may lead to a new input at once (a listener calls stop(), a socket that
 * cannot be built): that input's step supersedes, so the older batch's remaining effects are
 * dropped rather than performed against a state that has moved on.
 */
import type { Dropped } from '../protocol/frames';
import type { CallBatch, FeedStatus } from './types';

/** The effects the WebSocket and poll machines share; their shells perform them alike. */
export type FeedEffect =
  | { kind: 'set-timer'; ms: number }
  | { kind: 'clear-timer' }
  | { kind: 'emit-status'; status: FeedStatus }
  | ({ kind: 'emit-calls' } & CallBatch)
  | { kind: 'drop'; dropped: Dropped }
  | { kind: 'warn'; message: string };

export interface Transition<S, E> {
  state: S;
  effects: E[];
}

export interface MachineRunner<S, I> {
  dispatch(input: I): void;
  readonly state: S;
}

export function runMachine<S, I, E>(initial: S, step: (state: S, input: I) => Transition<S, E>, perform: (effect: E) => void): MachineRunner<S, I> {
  let state = initial;
  let generation = 0;
  return {
    dispatch(input) {
      const next = step(state, input);
      state = next.state;
      generation += 1;
      const mine = generation;
      for (const effect of next.effects) {
        if (generation !== mine) return;
        perform(effect);
      }
    },
    get state() {
      return state;
    },
  };
}
