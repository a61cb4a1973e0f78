/**
 * A bounded, insertion-ordered set of call ids: the notified/popped ids a leader hands to its
 * successor. Old ids fall off the front; a call is long over by the time 200 newer ones came.
 */
export const HANDOVER_LIMIT = 200;

export class CallIdSet {
  private readonly ids = new Set<string>();
  constructor(private readonly limit = HANDOVER_LIMIT) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Adds an id; answers whether it was new. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    while (this.ids.size > this.limit) {
      const oldest = this.ids.values().next().value;
      if (oldest === undefined) break;
      this.ids.delete(oldest);
    }
    return true;
  }

  addAll(ids: readonly string[]): void {
    for (const id of ids) this.add(id);
  }

  toArray(): string[] {
    return [...this.ids];
  }
}
