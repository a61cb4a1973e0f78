/**
 * The legs the relay remembers, indexed three ways so no operation scans them all: by key, by
 * extension (snapshots), and per state in offset order (expiry and eviction look at the front
 * only: the oldest ringing, answered or ended leg).
 */
import type { CallState } from '../../src/protocol';
import { legKey } from './leg-rules';
import type { Leg } from './store';

export class LegTable {
  private readonly legs = new Map<string, Leg>();
  // A Map keeps insertion order, and a leg is (re)inserted when it gets a new offset, so each
  // map is ordered by offset, which is the order of `stateAt` for a clock that does not go back.
  private readonly inState: Record<CallState, Map<string, Leg>> = { ringing: new Map(), answered: new Map(), ended: new Map() };
  private readonly byExtension = new Map<string, Set<string>>();

  get size(): number {
    return this.legs.size;
  }

  count(state: CallState): number {
    return this.inState[state].size;
  }

  get(key: string): Leg | undefined {
    return this.legs.get(key);
  }

  put(leg: Leg): void {
    const key = legKey(leg.event);
    const old = this.legs.get(key);
    if (old !== undefined) this.inState[old.event.state].delete(key);
    this.legs.set(key, leg);
    this.inState[leg.event.state].set(key, leg);
    let keys = this.byExtension.get(leg.event.extension);
    if (keys === undefined) this.byExtension.set(leg.event.extension, (keys = new Set()));
    keys.add(key);
  }

  delete(key: string): Leg | undefined {
    const leg = this.legs.get(key);
    if (leg === undefined) return undefined;
    this.legs.delete(key);
    this.inState[leg.event.state].delete(key);
    const keys = this.byExtension.get(leg.event.extension);
    keys?.delete(key);
    if (keys?.size === 0) this.byExtension.delete(leg.event.extension);
    return leg;
  }

  /** The leg that has been longest in this state. */
  oldestIn(state: CallState): Leg | undefined {
    for (const leg of this.inState[state].values()) return leg;
    return undefined;
  }

  ofExtensions(extensions: ReadonlySet<string>): Leg[] {
    const list: Leg[] = [];
    for (const ext of extensions) for (const key of this.byExtension.get(ext) ?? []) list.push(this.legs.get(key) as Leg);
    return list.sort((a, b) => a.offset - b.offset);
  }

  active(): Leg[] {
    return [...this.inState.ringing.values(), ...this.inState.answered.values()].sort((a, b) => a.offset - b.offset);
  }

  all(): Leg[] {
    return [...this.legs.values()].sort((a, b) => a.offset - b.offset);
  }
}
