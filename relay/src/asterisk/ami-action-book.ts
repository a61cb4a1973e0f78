/**
 * Which message answers which action: AMI correlates by the ActionID the client chose. A plain
 * action's answer is its `Response`; a list action (CoreShowChannels...) answers
 * `Response: Success` + `EventList: start`, then events carrying the same ActionID, then a
 * `...Complete` event with `EventList: Complete`.
 * https://docs.asterisk.org/Configuration/Interfaces/Asterisk-Manager-Interface-AMI/AMI-v2-Specification/#action-ids
 * Pure bookkeeping: the shell holds the timers and promises as each entry's `handle`.
 */
import type { AmiAnswer, AmiMessage } from './ami-types';

export type Routed<T> =
  /** An event for the listeners. */
  | { to: 'listeners' }
  /** A list action's response or one of its events: not complete yet. */
  | { to: 'progress'; id: string; handle: T }
  /** The action's full answer; the entry is gone from the book. */
  | { to: 'answered'; id: string; handle: T; answer: AmiAnswer }
  /** A response nobody waits for (a late answer after a timeout), or no Response/Event key. */
  | { to: 'nowhere'; why: string };

interface Entry<T> {
  handle: T;
  response?: AmiMessage;
  events: AmiMessage[];
}

const is = (value: string | undefined, expected: string) => value !== undefined && value.toLowerCase() === expected;

export class ActionBook<T> {
  private readonly entries = new Map<string, Entry<T>>();

  open(id: string, handle: T): void {
    this.entries.set(id, { handle, events: [] });
  }

  /** Forgets an action (timed out, or its send failed); its handle, if it was there. */
  take(id: string): T | undefined {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    return entry?.handle;
  }

  /** Forgets every action; their handles (to reject them). */
  takeAll(): T[] {
    const handles = [...this.entries.values()].map((e) => e.handle);
    this.entries.clear();
    return handles;
  }

  size(): number {
    return this.entries.size;
  }

  receive(m: AmiMessage): Routed<T> {
    const id = m.ActionID;
    const entry = id === undefined ? undefined : this.entries.get(id);
    // Event first: an OriginateResponse event also has a `Response` key.
    if (m.Event !== undefined) {
      // Only a list being collected takes events: an OriginateResponse carrying the Originate's
      // ActionID comes after its Response and goes to the listeners.
      if (id === undefined || entry === undefined || entry.response === undefined) return { to: 'listeners' };
      if (is(m.EventList, 'complete')) return this.answered(id, entry);
      entry.events.push(m);
      return { to: 'progress', id, handle: entry.handle };
    }
    if (m.Response !== undefined) {
      if (id === undefined || entry === undefined) return { to: 'nowhere', why: id === undefined ? 'response without ActionID' : 'response to no pending action' };
      if (entry.response !== undefined) return { to: 'nowhere', why: 'second response to one action' };
      entry.response = m;
      if (is(m.EventList, 'start')) return { to: 'progress', id, handle: entry.handle };
      return this.answered(id, entry);
    }
    return { to: 'nowhere', why: 'message with neither Response nor Event' };
  }

  private answered(id: string, entry: Entry<T>): Routed<T> {
    this.entries.delete(id);
    return { to: 'answered', id, handle: entry.handle, answer: { response: entry.response!, events: entry.events } };
  }
}
