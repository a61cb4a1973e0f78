/**
 * The call log tests' doubles: legs as the store emits them, and a shell for the assembly that
 * keeps its settle timers on a ManualClock (one per call id, `set-timer` replaces it).
 */
import type { CallEvent } from '../../../src/protocol';
import { initialAssembly, stepAssembly } from '../../../relay/src/calllog/assembly';
import type { AssemblyEffect, AssemblyInput, AssemblyState, CallAssemblyConfig } from '../../../relay/src/calllog/assembly';
import type { CompletedCall } from '../../../relay/src/calllog/types';
import type { TimerHandle } from '../../../src/core/clock';
import { ManualClock } from '../../support/manual-clock';

export const T0 = 1_700_000_000_000;

/** A leg's event: inbound from a customer's number to 101, at T0 unless told. */
export function leg(state: CallEvent['state'], extra: Partial<CallEvent> = {}): CallEvent {
  const event: CallEvent = { callId: 'c1', state, direction: 'inbound', phone: '+14155550100', extension: '101', at: T0, ...extra };
  if (state === 'ended' && event.result === undefined) event.result = 'missed';
  return event;
}

export class AssemblyShell {
  readonly clock = new ManualClock(T0);
  state: AssemblyState = initialAssembly;
  readonly completed: CompletedCall[] = [];
  readonly effects: AssemblyEffect[] = [];
  private readonly timers = new Map<string, TimerHandle>();

  constructor(readonly config: CallAssemblyConfig) {}

  /** A leg's change as the store emits it, now. */
  emit(...events: CallEvent[]): void {
    for (const event of events) this.step({ kind: 'event', event, now: this.clock.now() });
  }

  restore(legs: CallEvent[]): void {
    this.step({ kind: 'restore', legs, now: this.clock.now() });
  }

  step(input: AssemblyInput): void {
    const { state, effects } = stepAssembly(this.state, input, this.config);
    this.state = state;
    this.effects.push(...effects);
    for (const effect of effects) {
      if (effect.kind === 'set-timer') {
        this.clear(effect.callId);
        this.timers.set(effect.callId, this.clock.setTimeout(() => this.fire(effect.callId), effect.ms));
      } else if (effect.kind === 'clear-timer') {
        this.clear(effect.callId);
      } else if (effect.kind === 'complete') {
        this.completed.push(effect.call);
      }
    }
  }

  warnings(): string[] {
    return this.effects.flatMap((e) => (e.kind === 'warn' ? [e.message] : []));
  }

  pendingTimers(): number {
    return this.clock.pending();
  }

  private fire(callId: string): void {
    this.timers.delete(callId);
    this.step({ kind: 'settled', callId, now: this.clock.now() });
  }

  private clear(callId: string): void {
    const handle = this.timers.get(callId);
    if (handle !== undefined) this.clock.clearTimeout(handle);
    this.timers.delete(callId);
  }
}
