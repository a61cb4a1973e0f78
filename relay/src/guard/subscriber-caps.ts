/**
 * Caps on AUTHENTICATED sockets: relay-wide (`maxSubscribers`), per client address (an office
 * behind one NAT shares one) and per Kommo user (one socket per browser: a user's tabs share
 * one). Only a socket that proved a credential takes a slot, so sockets that never authenticate
 * cannot keep widgets out. In legacy token mode every widget presents the same token, so there
 * is no user to count: `user` is null and only the other two caps apply.
 *
 * On a cluster (docs/cluster.md) the per-address and per-user caps count every node's sockets:
 * `others` says what the other nodes hold (as of their last report, a second old at most), and
 * `excess()` names the sockets this node must let go when, together, the nodes hold more than a
 * cap (sockets taken on two nodes at once): its share of the excess, newest first.
 */

export interface SubscriberLimits {
  maxSubscribers: number;
  maxSubscribersPerAddress: number;
  maxSubscribersPerUser: number;
}

/** Which cap refused a socket. */
export type CapReached = 'subscribers' | 'address' | 'user';

/** What the other nodes of a cluster hold, per capped address and per user. */
export type OtherNodes = (kind: 'address' | 'user', key: string) => number;

/** This node's sockets per capped address and per user (what it reports to the other nodes). */
export interface SlotCounts {
  address: ReadonlyMap<string, number>;
  user: ReadonlyMap<string, number>;
  /** Bumped on every change of the two counts: unchanged, they need not be reported again. */
  version: number;
}

interface Slot {
  /** null: not capped per address (this machine). */
  address: string | null;
  user: string | null;
}

/** true when a count changed (a null key is not counted). */
function add(counts: Map<string, number>, key: string | null, by: 1 | -1): boolean {
  if (key === null) return false;
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
  return true;
}

export class SubscriberCaps<T> {
  private readonly slots = new Map<T, Slot>();
  private readonly perAddress = new Map<string, number>();
  private readonly perUser = new Map<string, number>();
  private version = 0;

  constructor(
    private readonly limits: SubscriberLimits,
    private readonly others: OtherNodes = () => 0,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  /** The relay-wide cap is reached: a new socket is told to come back later at once. */
  full(): boolean {
    return this.slots.size >= this.limits.maxSubscribers;
  }

  has(item: T): boolean {
    return this.slots.has(item);
  }

  /** Gives `item` a slot; answers the cap that refuses it, or null. A socket that holds one keeps it. */
  take(item: T, address: string | null, user: string | null): CapReached | null {
    if (this.slots.has(item)) return null;
    if (this.full()) return 'subscribers';
    if (address !== null && (this.perAddress.get(address) ?? 0) + this.others('address', address) >= this.limits.maxSubscribersPerAddress) return 'address';
    if (user !== null && (this.perUser.get(user) ?? 0) + this.others('user', user) >= this.limits.maxSubscribersPerUser) return 'user';
    this.slots.set(item, { address, user });
    this.counted(add(this.perAddress, address, 1), add(this.perUser, user, 1));
    return null;
  }

  counts(): SlotCounts {
    return { address: this.perAddress, user: this.perUser, version: this.version };
  }

  /**
   * The sockets to let go so that the nodes together come back within each cap: for each key over
   * it, this node's share of the excess (in proportion to what it holds, rounded up), its newest.
   */
  excess(): Array<{ item: T; cap: 'address' | 'user'; key: string }> {
    const out: Array<{ item: T; cap: 'address' | 'user'; key: string }> = [];
    const chosen = new Set<T>();
    const over = (kind: 'address' | 'user', counts: Map<string, number>, cap: number) => {
      for (const [key, local] of counts) {
        const total = local + this.others(kind, key);
        if (total <= cap) continue;
        let shed = Math.min(local, Math.ceil(((total - cap) * local) / total));
        const newest = [...this.slots].filter(([, slot]) => slot[kind] === key).reverse();
        for (const [item] of newest) {
          if (shed <= 0) break;
          if (chosen.has(item)) continue;
          chosen.add(item);
          out.push({ item, cap: kind, key });
          shed -= 1;
        }
      }
    };
    over('address', this.perAddress, this.limits.maxSubscribersPerAddress);
    over('user', this.perUser, this.limits.maxSubscribersPerUser);
    return out;
  }

  release(item: T): void {
    const slot = this.slots.get(item);
    if (slot === undefined) return;
    this.slots.delete(item);
    this.counted(add(this.perAddress, slot.address, -1), add(this.perUser, slot.user, -1));
  }

  private counted(address: boolean, user: boolean): void {
    if (address || user) this.version += 1;
  }
}
