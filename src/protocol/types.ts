/**
 * The call feed's event, as the widget and the relay hold it once validated (camelCase; the wire
 * form is snake_case JSON, docs/call-feed-protocol.md "A call event").
 */
export type CallState = 'ringing' | 'answered' | 'ended';
export type CallDirection = 'inbound' | 'outbound';
/**
 * `answered_elsewhere` (protocol version 2): this leg rang, a colleague's leg of the same call was
 * answered. Version-1 widgets never receive it (the relay makes such a leg vanish for them).
 */
export type CallResult = 'answered' | 'missed' | 'busy' | 'failed' | 'answered_elsewhere';

/** One validated call event (protocol: "A call event"). */
export interface CallEvent {
  callId: string;
  state: CallState;
  direction: CallDirection;
  /** The outside party's number as the PBX sent it (not normalised). */
  phone: string;
  extension: string;
  /** When the state began, ms since the epoch (the protocol's `at` x 1000, or receipt time). */
  at: number;
  /** Talk time in seconds; `ended` only. */
  duration?: number;
  /** http(s) URL of the recording; `ended` only. */
  recordingUrl?: string;
  /** `ended` only; defaulted per the protocol when the PBX leaves it out. */
  result?: CallResult;
  /**
   * `ended` only (version 2): the PBX never sent this leg's end; the relay ended it itself after
   * the leg's maximum age (docs/call-feed-protocol.md, "Expiry").
   */
  expired?: boolean;
}
