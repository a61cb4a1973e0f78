/**
 * Sockets that have not authenticated yet (upgraded, no valid `subscribe` so far). They hold no
 * subscriber slot, only a place here, bounded relay-wide and per client address. A newcomer is
 * never refused: when a bound is reached the OLDEST pending socket (of that address, or of all)
 * makes room. A widget authenticates within a round trip of opening its socket, so the oldest
 * are the sockets held open without a word: an attacker's, or a dead network's.
 */

export interface PendingLimits {
  /** Pending sockets at once, relay-wide. */
  maxPending: number;
  /** Pending sockets from one client address (addresses that are not capped pass `null`). */
  maxPendingPerAddress: number;
}

const oldestOf = <T>(items: Set<T>): T | undefined => items.values().next().value;

export class PendingPool<T> {
  /** Insertion order is age order: the first is the oldest. */
  private readonly all = new Set<T>();
  private readonly byAddress = new Map<string, Set<T>>();
  private readonly addressOf = new Map<T, string | null>();

  constructor(private readonly limits: PendingLimits) {}

  get size(): number {
    return this.all.size;
  }

  /** Adds `item`; answers the pending items that left to make room for it (the caller closes them). */
  enter(item: T, address: string | null): T[] {
    const shed: T[] = [];
    const sameAddress = address === null ? undefined : this.byAddress.get(address);
    while (sameAddress !== undefined && sameAddress.size >= this.limits.maxPendingPerAddress) shed.push(this.removeOldest(sameAddress));
    while (this.all.size >= this.limits.maxPending) shed.push(this.removeOldest(this.all));
    this.all.add(item);
    this.addressOf.set(item, address);
    if (address !== null) {
      const set = this.byAddress.get(address) ?? new Set<T>();
      set.add(item);
      this.byAddress.set(address, set);
    }
    return shed;
  }

  /** The oldest pending item, taken out of the pool; undefined when none is pending. */
  takeOldest(): T | undefined {
    return this.all.size === 0 ? undefined : this.removeOldest(this.all);
  }

  /** `item` authenticated or closed; false when it was not pending. */
  leave(item: T): boolean {
    if (!this.addressOf.has(item)) return false;
    const address = this.addressOf.get(item) ?? null;
    this.addressOf.delete(item);
    this.all.delete(item);
    const set = address === null ? undefined : this.byAddress.get(address);
    if (set !== undefined && address !== null) {
      set.delete(item);
      if (set.size === 0) this.byAddress.delete(address);
    }
    return true;
  }

  private removeOldest(items: Set<T>): T {
    const oldest = oldestOf(items) as T;
    this.leave(oldest);
    return oldest;
  }
}
