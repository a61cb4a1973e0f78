/**
 * A `Clock` moved by hand, for the tests and the benchmarks. Unlike jest's fake timers it leaves
 * Node's own timers alone, so real loopback I/O keeps working while the code under test sees
 * only this time (one simulated hour of heartbeats takes a few seconds of real I/O).
 */
import type { Clock, TimerHandle } from '../../src/core/clock';

export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.seq += 1;
    this.timers.set(this.seq, { at: this.current + Math.max(0, ms), fn });
    return this.seq;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Fires the earliest timer due by `target`, moving time to it; false when none is due. */
  fireNextDue(target: number): boolean {
    let next: [number, { at: number; fn: () => void }] | null = null;
    for (const entry of this.timers) if (entry[1].at <= target && (next === null || entry[1].at < next[1].at)) next = entry;
    if (next === null) return false;
    this.timers.delete(next[0]);
    this.current = Math.max(this.current, next[1].at);
    next[1].fn();
    return true;
  }

  /** Moves time forward, firing due timers in order (each at its own time). */
  advance(ms: number): void {
    const target = this.current + ms;
    while (this.fireNextDue(target));
    this.current = target;
  }

  /** The machine sleeps: time jumps and no timer fires until the next advance(). */
  sleep(ms: number): void {
    this.current += ms;
  }

  pending(): number {
    return this.timers.size;
  }
}
