/**
 * A memory outbox whose every change is saved whole, shortly after (`delayMs`, so a burst of
 * changes is one write), one write at a time, through `write` (Redis, for the cluster's call
 * log). A failed write is tried again until one succeeds; `flush()` waits for the last change.
 */
import type { MemoryOutbox } from './memory-outbox';
import type { Outbox } from './outbox';

export function mirroredOutbox(
  inner: MemoryOutbox,
  o: { write: (value: string) => Promise<void>; delayMs: number; log: (message: string, context?: Record<string, unknown>) => void },
): { outbox: Outbox; flush: () => Promise<void> } {
  let timer: NodeJS.Timeout | null = null;
  let dirty = false;
  let writing: Promise<void> | null = null;
  let failing = false;

  async function save(): Promise<void> {
    while (dirty) {
      dirty = false;
      try {
        await o.write(JSON.stringify(inner.save()));
        failing = false;
      } catch (error) {
        if (!failing) o.log('relay: the call log\'s outbox could not be saved to Redis; tried again', { error: String(error) });
        failing = true;
        dirty = true;
        await new Promise((done) => setTimeout(done, 500));
      }
    }
  }

  function start(): Promise<void> {
    if (writing === null) writing = save().finally(() => (writing = null));
    return writing;
  }

  function changed(): void {
    dirty = true;
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      void start();
    }, o.delayMs);
  }

  const after = <T>(result: T): T => {
    changed();
    return result;
  };
  const outbox: Outbox = {
    kind: inner.kind,
    add: (jobs, now) => after(inner.add(jobs, now)),
    due: (now, limit) => inner.due(now, limit),
    nextDueAt: () => inner.nextDueAt(),
    dueNow: (now) => after(inner.dueNow(now)),
    succeed: (id, followUps, now) => after(inner.succeed(id, followUps, now)),
    retry: (id, nextAt, reason, now) => after(inner.retry(id, nextAt, reason, now)),
    park: (id, reason, now) => after(inner.park(id, reason, now)),
    counts: () => inner.counts(),
    rememberTask: (task) => after(inner.rememberTask(task)),
    openTasks: (phoneKey, now) => inner.openTasks(phoneKey, now),
    forgetTasks: (ids) => after(inner.forgetTasks(ids)),
    close: () => inner.close(),
  };
  return {
    outbox,
    async flush() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (dirty || writing !== null) await start();
      if (dirty) await start();
    },
  };
}
