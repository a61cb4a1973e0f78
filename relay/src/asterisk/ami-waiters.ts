/**
 * The actions waiting for their answer on the AMI connection: each with its deadline (a long
 * list keeps its action alive while it progresses), routed by ActionID (ami-action-book.ts).
 * The client owns the socket; this owns the actions' timers.
 */
import { ActionBook } from './ami-action-book';
import { AmiError } from './ami-errors';
import type { AmiAnswer, AmiMessage, AmiTimers } from './ami-types';

interface Waiter {
  action: string;
  timer: unknown;
  resolve(answer: AmiAnswer): void;
  reject(error: AmiError): void;
}

/** What a message was: not an answer (for the event listeners), nobody's (with why), or taken. */
export type Received = { to: 'listeners' } | { to: 'nowhere'; why: string } | { to: 'waiter' };

export class AmiWaiters {
  private readonly book = new ActionBook<Waiter>();

  constructor(
    private readonly timers: AmiTimers,
    private readonly timeoutMs: number,
  ) {}

  /** The answer to the action sent with ActionID `id`; rejected with `timeout` past the deadline. */
  wait(id: string, action: string): Promise<AmiAnswer> {
    return new Promise<AmiAnswer>((resolve, reject) => {
      this.book.open(id, { action, resolve, reject, timer: this.timers.setTimeout(() => this.timeOut(id), this.timeoutMs) });
    });
  }

  receive(m: AmiMessage): Received {
    const routed = this.book.receive(m);
    if (routed.to === 'listeners' || routed.to === 'nowhere') return routed;
    this.timers.clearTimeout(routed.handle.timer);
    if (routed.to === 'progress') routed.handle.timer = this.timers.setTimeout(() => this.timeOut(routed.id), this.timeoutMs);
    else routed.handle.resolve(routed.answer);
    return { to: 'waiter' };
  }

  /** The connection closed: every action waiting fails. */
  rejectAll(): void {
    for (const w of this.book.takeAll()) {
      this.timers.clearTimeout(w.timer);
      w.reject(new AmiError('closed', `AMI connection closed before the answer to ${w.action}`, { action: w.action }));
    }
  }

  private timeOut(id: string): void {
    const w = this.book.take(id);
    if (w !== undefined) w.reject(new AmiError('timeout', `no answer to AMI ${w.action} within ${this.timeoutMs} ms`, { action: w.action, actionId: id }));
  }
}
