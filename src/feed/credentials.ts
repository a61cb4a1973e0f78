/**
 * What the transports present to the relay, kept current by its owner (the leader's relay
 * access: src/app/relay-access.ts). A refused or expired credential is renewed once per
 * connection (ws-machine.ts, poll-machine.ts): a ticket from a restarted relay, or a ticket that
 * outlived an outage, is replaced without the user noticing; a refusal right after a renewal is
 * final.
 */
import type { FeedCredential } from '../protocol/subscribe';

export interface FeedCredentials {
  current(): FeedCredential;
  /** The relay refused, or found expired, what `current()` gave: get another. */
  renew(): void;
  /** Calls `then` once no renewal is in flight (at once when none is). */
  whenReady(then: () => void): void;
  /** A renewed ticket arrived while nothing was refused (the 80 % renewal): an open socket sends `auth`. */
  onRenewed(handler: () => void): () => void;
}

/** The version-1 credential: the shared token setting, nothing to renew. */
export function sharedToken(token: string): FeedCredentials {
  return { current: () => ({ kind: 'token', token }), renew() {}, whenReady: (then) => then(), onRenewed: () => () => {} };
}
