/**
 * Caps on AUTHENTICATED sockets: relay-wide (`maxSubscribers`), per client address (an office
 * behind one NAT shares one) and per Kommo user (one socket per browser: a user's tabs share
 * one). Only a socket that proved a credential takes a slot, so sockets that never authenticate
 * cannot keep widgets out. In legacy token mode every widget presents the same token, so there
 * is no user to count: `user` is null and only the other two caps apply.
 */

export interface SubscriberLimits {
  maxSubscribers: number;
  maxSubscribersPerAddress: number;
  maxSubscribersPerUser: number;
}

/** Which cap refused a socket. */
export type CapReached = 'subscribers' | 'address' | 'user';

interface Slot {
  /** null: not capped per address (this machine). */
  address: string | null;
  user: string | null;
}

function add(counts: Map<string, number>, key: string | null, by: 1 | -1): void {
  if (key === null) return;
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}

export class SubscriberCaps<T> {
  private readonly slots = new Map<T, Slot>();
  private readonly perAddress = new Map<string, number>();
  private readonly perUser = new Map<string, number>();

  constructor(private readonly limits: SubscriberLimits) {}

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
    if (address !== null && (this.perAddress.get(address) ?? 0) >= this.limits.maxSubscribersPerAddress) return 'address';
    if (user !== null && (this.perUser.get(user) ?? 0) >= this.limits.maxSubscribersPerUser) return 'user';
    this.slots.set(item, { address, user });
    add(this.perAddress, address, 1);
    add(this.perUser, user, 1);
    return null;
  }

  release(item: T): void {
    const slot = this.slots.get(item);
    if (slot === undefined) return;
    this.slots.delete(item);
    add(this.perAddress, slot.address, -1);
    add(this.perUser, slot.user, -1);
  }
}
