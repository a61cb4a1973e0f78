/**
 * The Asterisk Manager Interface's shapes, shared by the adapter's parts (docs/asterisk.md):
 * the parser and the client (ami-parser.ts, ami-client.ts) produce them, the call tracker
 * (call-tracker.ts) and the originate adapter (ami-originate.ts) read them.
 * AMI: https://docs.asterisk.org/Configuration/Interfaces/Asterisk-Manager-Interface-AMI/
 */

/**
 * One AMI message (an event, or a response to an action) as Asterisk sent it: its fields, keys
 * spelled as sent (`Event`, `Uniqueid`, `Linkedid`...). A key sent twice (`ChanVariable`,
 * `Output`) keeps every value, joined with "\n".
 */
export type AmiMessage = Readonly<Record<string, string>>;

/** An action's answer: its `Response` message and, for list actions, the events up to `EventList: Complete`. */
export interface AmiAnswer {
  response: AmiMessage;
  /** The list's events (`CoreShowChannel`...), without the closing `...Complete` event; [] for plain actions. */
  events: AmiMessage[];
}

/** What a logged-in client can do: the one seam the originate adapter and the resync use. */
export interface AmiActions {
  /**
   * Sends an action (`Action` and its fields; the client adds `ActionID`) and resolves with its
   * answer, `Response: Error` included. Rejects with an AmiError when the client is not logged
   * in, the connection drops before the answer, or none comes within the client's action timeout.
   */
  send(action: Readonly<Record<string, string>>): Promise<AmiAnswer>;
}

/** The client's connection, as the relay's health shows it. */
export type AmiStatus =
  | { state: 'connecting'; since: number; attempt: number }
  | { state: 'connected'; since: number }
  | { state: 'disconnected'; since: number; reason: string; retryInMs: number }
  /** The PBX refused the login (wrong user or secret, or an address manager.conf denies): retried slowly, the admin must act. */
  | { state: 'login_refused'; since: number; reason: string; retryInMs: number }
  | { state: 'stopped'; since: number };

export type Log = (message: string, context?: Record<string, unknown>) => void;

/** Timers, injected so tests drive time by hand (the relay passes Node's, unref'd). */
export interface AmiTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
