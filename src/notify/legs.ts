/**
 * The legs of one call as the notifier sees them (pure). A call that rings several of the
 * user's extensions (a ring group) is one pop-up and one completed notification: the call is
 * over when its last live leg is, and it is filed with the end that says most: answered beats
 * answered by a colleague beats missed/busy/failed. An `expired` end (the relay gave up on the
 * leg, its outcome unknown) and a vanished leg end a leg without saying anything.
 */
import type { CallEvent } from '../feed/types';

export interface CallLegs {
  live: ReadonlySet<string>;
  /** The end to file once no leg is live; null: nothing to file (none ended, or only expired). */
  best: CallEvent | null;
}

function rank(event: CallEvent): number {
  if (event.result === 'answered') return 2;
  return event.result === 'answered_elsewhere' ? 1 : 0;
}

export function legLive(legs: CallLegs, leg: string): CallLegs {
  return legs.live.has(leg) ? legs : { ...legs, live: new Set([...legs.live, leg]) };
}

/** `ended` null: the leg vanished. */
export function legOver(legs: CallLegs, leg: string, ended: CallEvent | null): CallLegs {
  const live = new Set(legs.live);
  live.delete(leg);
  const counts = ended !== null && ended.expired !== true && (legs.best === null || rank(ended) > rank(legs.best));
  return { live, best: counts ? ended : legs.best };
}
