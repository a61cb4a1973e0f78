/**
 * Collects the AMI events a client receives, so a test can wait for the one it expects (with a
 * deadline, never a fixed sleep) and then look at everything that came since a mark.
 */
import type { AmiMessage } from '../../../relay/src/asterisk/ami-types';
import { waitUntil } from '../wait';

export interface EventLog {
  /** The position to look from: events after it belong to what the test does next. */
  mark(): number;
  since(mark: number): AmiMessage[];
  /** Resolves with the first event since `mark` matching `match`; fails naming `what` after the deadline. */
  waitFor(mark: number, what: string, match: (m: AmiMessage) => boolean, timeoutMs?: number): Promise<AmiMessage>;
  listener: (m: AmiMessage) => void;
}

export function createEventLog(): EventLog {
  const events: AmiMessage[] = [];
  const find = (mark: number, match: (m: AmiMessage) => boolean) => events.slice(mark).find(match);
  return {
    mark: () => events.length,
    since: (mark) => events.slice(mark),
    async waitFor(mark, what, match, timeoutMs = 20_000) {
      try {
        await waitUntil(what, () => find(mark, match) !== undefined, { timeoutMs, everyMs: 20 });
      } catch (error) {
        const seen = events.slice(mark).map((m) => `${m.Event} ${m.Channel ?? ''} ${m.DestChannel ?? ''}`.trim());
        throw new Error(`${(error as Error).message}; events seen: ${seen.slice(-40).join(' | ')}`);
      }
      return find(mark, match) as AmiMessage;
    },
    listener: (m) => {
      if (m.Event !== undefined) events.push(m);
    },
  };
}

/** Matchers for the events the tracker reads. */
export const is = {
  event: (name: string, fields: Record<string, string | RegExp> = {}) => (m: AmiMessage) =>
    m.Event === name &&
    Object.entries(fields).every(([key, want]) => {
      const got = m[key];
      return got !== undefined && (typeof want === 'string' ? got === want : want.test(got));
    }),
};
