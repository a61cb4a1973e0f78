/**
 * What the notifier's state machines ask their shell to do, as plain data: the shell
 * (notifier.ts) owns the timers, the lookups and the sink, and performs these in order.
 */
import type { CallEvent } from '../feed/types';
import type { LookupResult } from '../lookup/types';

/** Each call has at most one timer of each name. */
export type TimerName = 'popup' | 'filing';

/** `POST /api/v2/events` (https://developers.kommo.com/docs/call-notification, "Add call event"). */
export interface CallEventBody {
  add: { type: 'phone_call'; phone_number: string; users: (number | string)[] }[];
}

export type NotifyEffect =
  /** Ask the lookup; its answer comes back as `lookup-answered` with the same `seq`. */
  | { kind: 'look-up'; callId: string; seq: number; phone: string }
  /** Replaces the call's timer of that name; when it fires, the shell steps `{ kind: 'timer' }`. */
  | { kind: 'set-timer'; timer: TimerName; callId: string; ms: number }
  | { kind: 'clear-timer'; timer: TimerName; callId: string }
  /** `result` null: the lookup has not answered (in time), or `rejected` (a bug, not a slow CRM). */
  | { kind: 'show-popup'; event: CallEvent; result: LookupResult | null; rejected?: true }
  /** Events mode; a failure comes back as `post-failed` carrying `event` and `result`. */
  | { kind: 'post-event'; event: CallEvent; result: LookupResult | null; body: CallEventBody }
  | { kind: 'file-call'; event: CallEvent; result: LookupResult | null }
  /** An inbound call rang out unanswered, recently: its pop-up with "Call back". */
  | { kind: 'show-missed'; event: CallEvent; result: LookupResult | null }
  | { kind: 'warn'; message: string; data?: Record<string, unknown> };

export interface Step<S> {
  state: S;
  effects: NotifyEffect[];
}
