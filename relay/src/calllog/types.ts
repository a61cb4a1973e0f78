/**
 * The call log's data (issue 16): a call the relay saw end on every leg, and the writes to
 * Kommo it leads to, kept in the durable outbox until Kommo has them. Plain data: the pure
 * rules (assembly.ts, completed-call.ts, kommo-bodies.ts, plan.ts) and the shells (outbox,
 * worker) exchange only these.
 */
import type { CallDirection } from '../../../src/protocol';

/** What became of a call, for the customer: one per call, whatever its legs. */
export type CallOutcome =
  /** Someone of ours talked (a transfer: the last one who answered). */
  | 'talked'
  /** Rang, nobody answered (inbound: a missed call; outbound: the number did not pick up). */
  | 'no_answer'
  | 'busy'
  | 'failed';

/** A call whose every leg ended and stayed ended for the settle delay (assembly.ts). */
export interface CompletedCall {
  /** The call's `call_id`: Kommo's `uniq`, and what the widget's add_call names it by. */
  uniq: string;
  direction: CallDirection;
  /** The outside party as the PBX sent it; '' when withheld. */
  phone: string;
  /** An internal call (the phone is one of ours / 1..4 digits): not a customer's, not logged. */
  internal: boolean;
  outcome: CallOutcome;
  /** The extension the call is logged by: the last that answered, else the first that rang. */
  extension: string;
  /** Every extension that had a leg, in the order they first rang. */
  extensions: string[];
  /** Talk time in seconds (the answered legs' durations summed: a transfer is one call). */
  duration: number;
  /** The recording of the last answered leg that has one. */
  recordingUrl?: string;
  /** ms since the epoch: the first leg's first event, and the last leg's end. */
  startedAt: number;
  endedAt: number;
}

/** A Kommo card (what a call was filed on, what a task is set on). */
export interface KommoEntity {
  id: number;
  type: 'leads' | 'contacts' | 'companies' | 'customers';
}

/** One write to Kommo, as the outbox keeps it (JSON). Follow-ups are new jobs. */
export type CallLogJob =
  /**
   * POST /api/v4/calls for one completed call. `onNewContact`: the second try, after the relay
   * made a contact for an unknown caller; a second 'unknown-number' makes no further contact.
   */
  | { kind: 'log-call'; call: CompletedCall; onNewContact?: true }
  /** A caller Kommo does not know: an incoming lead (unsorted/sip) or a new contact, per policy. */
  | { kind: 'unknown-caller'; call: CompletedCall; action: 'lead' | 'contact' }
  /** A missed inbound call: a call-back task on the card (entity when the call was filed on one). */
  | { kind: 'call-back-task'; call: CompletedCall; entity: KommoEntity | null }
  /** An answered call with this number: the open call-back tasks of the number are completed. */
  | { kind: 'close-tasks'; call: CompletedCall };

/** A job with its idempotency key: adding a key the outbox already has is a no-op. */
export interface KeyedJob {
  key: string;
  job: CallLogJob;
}

/** What to do when Kommo knows no card for a call's number. */
export type UnknownCallerAction = 'lead' | 'contact' | 'nothing';

/** The call log's rules, from the relay's flags (calllog/command-flags.ts). */
export interface CallLogConfig {
  /** Kommo's `source`: the integration's name as Kommo shows it on the card. */
  source: string;
  /** A caller Kommo does not know, per direction and outcome. */
  unknownCallers: Record<CompletedCall['direction'], Record<CallOutcome, UnknownCallerAction>>;
  /** A call-back task for a missed inbound call (null: none). */
  callBackTask: null | {
    /** Due this long after the call ended. */
    delayMs: number;
    /** An answered call with the number (either direction) before the due time completes the task. */
    closeOnAnsweredCall: boolean;
  };
  /** Settle delay: a call whose legs all ended is complete when no leg appears for this long (transfers). */
  settleMs: number;
}
