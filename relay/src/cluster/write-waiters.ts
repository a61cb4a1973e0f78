/**
 * The POSTs of this node waiting for their log entry to come back: each entry names its writer
 * (`<node>:<n>`), and the reader hands the writer its outcome when it applies the entry. An entry
 * not back within the timeout fails the POST (503); if it is applied later, the PBX's retry of it
 * changes nothing.
 */
import { StoreWriteFailed } from '../errors';
import type { BatchOutcome } from '../store';

interface Waiter {
  resolve(outcome: BatchOutcome): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class WriteWaiters {
  private readonly waiting = new Map<string, Waiter>();
  private written = 0;

  constructor(
    private readonly nodeId: string,
    private readonly timeoutMs: number,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  /** A new writer's name, and its outcome once settled. */
  open(): { source: string; outcome: Promise<BatchOutcome> } {
    this.written += 1;
    const source = `${this.nodeId}:${this.written}`;
    const outcome = new Promise<BatchOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(source);
        reject(new StoreWriteFailed(`cluster apply (not read back within ${this.timeoutMs} ms)`));
      }, this.timeoutMs);
      this.waiting.set(source, { resolve, reject, timer });
    });
    return { source, outcome };
  }

  settle(source: string, outcome: BatchOutcome): void {
    const waiter = this.take(source);
    waiter?.resolve(outcome);
  }

  /** The append failed: the writer is told by the caller, and nothing waits any more. */
  drop(source: string, outcome: Promise<BatchOutcome>): void {
    this.take(source);
    outcome.catch(() => undefined);
  }

  rejectAll(why: string): void {
    for (const source of [...this.waiting.keys()]) this.take(source)?.reject(new StoreWriteFailed(why));
  }

  private take(source: string): Waiter | undefined {
    const waiter = this.waiting.get(source);
    if (waiter === undefined) return undefined;
    this.waiting.delete(source);
    clearTimeout(waiter.timer);
    return waiter;
  }
}
