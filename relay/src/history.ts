/**
 * The history of emitted events that lets a reconnecting widget catch up: bounded per extension
 * (count), relay-wide (count) and in age. Whatever is forgotten raises a floor, so the relay
 * can tell "nothing happened" from "I no longer know": a widget whose position is below the
 * floor of one of its extensions (or the relay-wide floor) cannot be covered and gets a
 * snapshot instead.
 */
import type { SequencedEvent, StreamCursor } from '../../src/protocol';
import { Deque } from './deque';
import type { HistoryEntry, Journal } from './journal';
import type { Recovery, StoreLimits } from './store';

interface Kept extends HistoryEntry {
  /** Forgotten by its extension's count limit while still in the relay-wide queue. */
  dropped: boolean;
}

export class History {
  /** Every entry in offset order (the relay-wide count and the age limit trim its front). */
  private readonly all = new Deque<Kept>();
  private readonly byExtension = new Map<string, Deque<Kept>>();
  /** The highest offset forgotten per extension by its count limit. */
  private readonly floors = new Map<string, number>();
  private kept = 0;
  /** The highest offset forgotten by the age or relay-wide limit: a prefix of the whole sequence. */
  globalFloor = 0;

  constructor(
    private readonly limits: Pick<StoreLimits, 'historyMaxAgeMs' | 'historyMaxPerExtension' | 'historyMaxEvents'>,
    private readonly journal: Journal,
  ) {}

  get size(): number {
    return this.kept;
  }

  append(entry: HistoryEntry, record = true): void {
    const kept: Kept = { ...entry, dropped: false };
    const ext = entry.event.extension;
    let list = this.byExtension.get(ext);
    if (list === undefined) this.byExtension.set(ext, (list = new Deque()));
    this.all.push(kept);
    list.push(kept);
    this.kept += 1;
    if (record) this.journal.record({ kind: 'history_append', entry });
    if (list.length > this.limits.historyMaxPerExtension) {
      const oldest = list.shift() as Kept;
      oldest.dropped = true;
      this.kept -= 1;
      this.floors.set(ext, oldest.offset);
      if (record) {
        this.journal.record({ kind: 'history_delete', offset: oldest.offset });
        this.journal.record({ kind: 'floor_set', extension: ext, floor: oldest.offset });
      }
    }
    while (this.all.length > this.limits.historyMaxEvents) this.forgetOldest();
  }

  /** Forgets what is older than the age limit. */
  trim(now: number): void {
    const cutoff = now - this.limits.historyMaxAgeMs;
    for (let first = this.all.peek(); first !== undefined && first.storedAt <= cutoff; first = this.all.peek()) this.forgetOldest();
  }

  private forgetOldest(): void {
    const entry = this.all.shift() as Kept;
    this.globalFloor = Math.max(this.globalFloor, entry.offset);
    if (entry.dropped) return;
    const ext = entry.event.extension;
    const list = this.byExtension.get(ext);
    list?.shift();
    this.kept -= 1;
    this.journal.record({ kind: 'history_delete', offset: entry.offset });
    if (list !== undefined && list.length === 0) {
      this.byExtension.delete(ext);
      // The relay-wide floor now covers this extension's own floor: drop it, so floors stay bounded.
      if (this.floors.delete(ext)) this.journal.record({ kind: 'floor_delete', extension: ext });
    }
  }

  /** `current`: the store's epoch and last offset. */
  missedSince(extensions: ReadonlySet<string>, since: StreamCursor, current: StreamCursor): Recovery {
    const cannot: Recovery = { recovered: false, missed: [] };
    if (since.epoch !== current.epoch || since.offset > current.offset || since.offset < this.globalFloor) return cannot;
    const missed: SequencedEvent[] = [];
    for (const ext of extensions) {
      if ((this.floors.get(ext) ?? 0) > since.offset) return cannot;
      const list = this.byExtension.get(ext);
      if (list === undefined) continue;
      // Newest first, stopping at the widget's position: the cost is what it missed.
      for (let i = list.length - 1; i >= 0; i -= 1) {
        const entry = list.at(i) as Kept;
        if (entry.offset <= since.offset) break;
        missed.push({ offset: entry.offset, event: entry.event });
      }
    }
    return { recovered: true, missed: missed.sort((a, b) => a.offset - b.offset) };
  }

  /**
   * What restore() rebuilds this history from exactly (the cluster's snapshots): every entry of
   * the relay-wide queue, those its extension's limit already dropped too, so that appending them
   * again drops the same ones and the relay-wide count goes on the same.
   */
  save(): { entries: HistoryEntry[]; floors: Array<[string, number]>; globalFloor: number } {
    const entries: HistoryEntry[] = [];
    for (let i = 0; i < this.all.length; i += 1) {
      const { offset, event, storedAt } = this.all.at(i) as Kept;
      entries.push({ offset, event, storedAt });
    }
    return { entries, floors: [...this.floors], globalFloor: this.globalFloor };
  }

  /** Rebuilds from a store's saved rows (entries in offset order). */
  restore(entries: readonly HistoryEntry[], floors: ReadonlyArray<readonly [string, number]>, globalFloor: number): void {
    for (const entry of entries) this.append(entry, false);
    for (const [ext, floor] of floors) this.floors.set(ext, Math.max(floor, this.floors.get(ext) ?? 0));
    this.globalFloor = Math.max(this.globalFloor, globalFloor);
  }
}
