/**
 * Sharing the leader's state: the leader publishes to every tab and itself; every tab keeps the
 * last state it saw, which a leader hands to a tab that says hello.
 */
import type { TabMessageBody } from './protocol';

export interface SharingState<S> {
  readonly last: S | null;
}

export type SharingInput<S> =
  /** The leader's `publish`. */
  | { type: 'publish'; state: S }
  /** From the leader (a `state` or a `snapshot` with a state). */
  | { type: 'received'; state: S };

export type SharingEffect<S> = { kind: 'post'; body: TabMessageBody<never, S> } | { kind: 'deliver'; state: S };

export const initialSharing: SharingState<never> = { last: null };

export function stepSharing<S>(_state: SharingState<S>, input: SharingInput<S>): { state: SharingState<S>; effects: SharingEffect<S>[] } {
  const deliver: SharingEffect<S> = { kind: 'deliver', state: input.state };
  const effects: SharingEffect<S>[] = input.type === 'publish' ? [{ kind: 'post', body: { type: 'state', state: input.state } }, deliver] : [deliver];
  return { state: { last: input.state }, effects };
}
