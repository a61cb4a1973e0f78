/**
 * Asks to the holder of a role, through the shared log (ClusterLink.ask/answer): the asking node
 * appends an `ask`, the node that holds the role (its handler says so) appends the `answer`, and
 * the asker, reading the log like every node, gets it. The log is already read by every node
 * within a blocking read, so this needs no channel of its own, and an ask is as durable as the
 * log. An ask is answered at most once, and never after its deadline: a node that reads it late
 * (joining, or after an outage) leaves it, since nobody waits for it any more.
 */
import { randomUUID } from 'node:crypto';
import type { LogEntry } from './log-entry';

type Ask = Extract<LogEntry, { kind: 'ask' }>;
type Answer = Extract<LogEntry, { kind: 'answer' }>;
type Log = (message: string, context?: Record<string, unknown>) => void;

/** Asks answered here are remembered this many, so that one read twice is not answered twice. */
const REMEMBERED = 1_000;

export class RoleAsks {
  private readonly waiting = new Map<string, { settle: (body: unknown) => void; timer: NodeJS.Timeout }>();
  private readonly handlers = new Map<string, (body: unknown) => Promise<unknown> | null>();
  private readonly answered = new Set<string>();

  constructor(
    private readonly o: {
      nodeId: string;
      now: () => number;
      /** Appends an entry to the log; rejects when Redis cannot take it. */
      append: (entry: LogEntry) => Promise<unknown>;
      log: Log;
    },
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  async ask(role: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const id = randomUUID();
    const now = this.o.now();
    const answer = new Promise<unknown>((settle) => {
      const timer = setTimeout(() => this.settle(id, null), timeoutMs);
      this.waiting.set(id, { settle, timer });
    });
    try {
      await this.o.append({ kind: 'ask', now, id, role, from: this.o.nodeId, deadline: now + timeoutMs, body });
    } catch (error) {
      this.o.log('relay: an ask to the cluster could not be written to Redis', { role, error: String(error) });
      this.settle(id, null);
    }
    return answer;
  }

  answer(role: string, handler: (body: unknown) => Promise<unknown> | null): () => void {
    this.handlers.set(role, handler);
    return () => {
      if (this.handlers.get(role) === handler) this.handlers.delete(role);
    };
  }

  /** Every ask and answer read from the log, in order. */
  read(entry: Ask | Answer): void {
    if (entry.kind === 'answer') {
      if (entry.to === this.o.nodeId) this.settle(entry.id, entry.body);
      return;
    }
    const handler = this.handlers.get(entry.role);
    if (handler === undefined || this.answered.has(entry.id) || this.o.now() >= entry.deadline) return;
    let pending: Promise<unknown> | null;
    try {
      pending = handler(entry.body);
    } catch (error) {
      this.o.log('relay: a cluster ask\'s handler failed', { role: entry.role, error: String(error) });
      return;
    }
    if (pending === null) return;
    this.remember(entry.id);
    pending
      .then((body) => this.o.append({ kind: 'answer', now: this.o.now(), id: entry.id, to: entry.from, body }))
      .catch((error: unknown) => this.o.log('relay: the answer to a cluster ask could not be written', { role: entry.role, from: entry.from, error: String(error) }));
  }

  /** Every waiting ask answered null (the node is closing). */
  close(): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, null);
    this.handlers.clear();
  }

  private settle(id: string, body: unknown): void {
    const waiter = this.waiting.get(id);
    if (waiter === undefined) return;
    this.waiting.delete(id);
    clearTimeout(waiter.timer);
    waiter.settle(body);
  }

  private remember(id: string): void {
    this.answered.add(id);
    if (this.answered.size > REMEMBERED) this.answered.delete(this.answered.values().next().value as string);
  }
}
