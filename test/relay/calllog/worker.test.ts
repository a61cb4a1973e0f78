/**
 * The worker that drains the outbox, as Kommo and the admin see it, on a manual clock: due jobs
 * are written, at most `concurrency` at once; a failed write is tried again with a growing
 * backoff or after Kommo's Retry-After, a 429/401 pauses every write, a refused one is set aside;
 * follow-ups come after their job; stop waits for the writes in flight. No test sleeps.
 */
import type { TryVerdict } from '../../../relay/src/calllog/after-try';
import { MemoryOutbox } from '../../../relay/src/calllog/memory-outbox';
import type { Outbox } from '../../../relay/src/calllog/outbox';
import type { CallLogJob, KeyedJob } from '../../../relay/src/calllog/types';
import { createOutboxWorker } from '../../../relay/src/calllog/worker';
import type { OutboxWorker, OutboxWorkerOptions } from '../../../relay/src/calllog/worker';
import { StoreWriteFailed } from '../../../relay/src/errors';
import { createManualClock, flush } from '../../support/stepped-clock';
import type { ManualClock } from '../../support/stepped-clock';
import { keyed, T0, uniqOf } from './outbox-jobs';

/** An error that carries how the test wants it classified. */
class KommoSaid extends Error {
  constructor(readonly verdict: TryVerdict) {
    super(verdict.reason);
  }
}
const unavailable = () => new KommoSaid({ retry: true, reason: 'Kommo did not answer (503)' });

interface Try {
  uniq: string;
  at: number;
  resolve(followUps?: KeyedJob[]): void;
  reject(error: unknown): void;
}

/** Kommo as the worker's `execute` meets it: every try recorded; answered at once by `answer`, or held. */
class FakeKommo {
  readonly tries: Try[] = [];
  inFlight = 0;
  maxInFlight = 0;
  answer: (job: CallLogJob, tries: number) => 'hold' | KeyedJob[] | Error = () => [];

  constructor(private readonly clock: ManualClock) {}

  readonly execute = (job: CallLogJob): Promise<KeyedJob[]> =>
    new Promise<KeyedJob[]>((resolve, reject) => {
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const settle = <T>(fn: (value: T) => void) => (value: T) => {
        this.inFlight -= 1;
        fn(value);
      };
      const attempt: Try = { uniq: uniqOf(job), at: this.clock.now() - T0, resolve: settle((f?: KeyedJob[]) => resolve(f ?? [])), reject: settle(reject) };
      this.tries.push(attempt);
      const answer = this.answer(job, this.tries.filter((t) => t.uniq === attempt.uniq).length);
      if (answer instanceof Error) attempt.reject(answer);
      else if (answer !== 'hold') attempt.resolve(answer);
    });

  triesOf(uniq: string): number[] {
    return this.tries.filter((t) => t.uniq === uniq).map((t) => t.at);
  }

  order(): string[] {
    return this.tries.map((t) => t.uniq);
  }
}

let clock: ManualClock;
let kommo: FakeKommo;
let outbox: Outbox;
let log: jest.Mock;
let worker: OutboxWorker | null;
let maxTimers: number;

beforeEach(() => {
  clock = createManualClock(T0);
  kommo = new FakeKommo(clock);
  outbox = new MemoryOutbox();
  log = jest.fn();
  worker = null;
  maxTimers = 0;
});
afterEach(async () => {
  for (const t of kommo.tries.splice(0)) t.resolve();
  await worker?.stop();
  expect(clock.pendingTimers).toBe(0);
  outbox.close();
});

function start(options: Partial<OutboxWorkerOptions> = {}): OutboxWorker {
  worker = createOutboxWorker({
    outbox,
    execute: kommo.execute,
    classify: (error) => (error instanceof KommoSaid ? error.verdict : { retry: false, reason: `internal: ${String(error)}` }),
    clock,
    timers: {
      setTimeout: (fn, ms) => {
        const handle = clock.setTimeout(fn, ms);
        maxTimers = Math.max(maxTimers, clock.pendingTimers);
        return handle;
      },
      clearTimeout: (handle) => clock.clearTimeout(handle),
    },
    backoff: { baseMs: 1_000, maxMs: 8_000, jitter: () => 1 },
    log,
    ...options,
  });
  worker.start();
  return worker;
}

test('due jobs are written at start; their follow-ups after them; then nothing is left and no timer is set', async () => {
  outbox.add([keyed('a'), keyed('b')], T0);
  kommo.answer = (job) => (job.kind === 'log-call' && uniqOf(job) === 'a' ? [keyed('a', 'call-back-task'), keyed('b')] : []);
  start();
  await flush();
  expect(kommo.tries.map((t) => `${t.uniq}@${t.at}`)).toEqual(['a@0', 'b@0', 'a@0']);
  expect(outbox.counts()).toMatchObject({ pending: 0, done: 3, failed: 0, lastSuccessAt: T0 });
  expect(clock.pendingTimers).toBe(0);
  expect(log).not.toHaveBeenCalled();
});

test('a write Kommo cannot take now is tried again with a growing backoff, capped; then it is done', async () => {
  outbox.add([keyed('a')], T0);
  kommo.answer = (_job, tries) => (tries <= 6 ? unavailable() : []);
  start();
  await clock.advance(60_000);
  // 1 s, 2 s, 4 s, then the 8 s cap.
  expect(kommo.triesOf('a')).toEqual([0, 1_000, 3_000, 7_000, 15_000, 23_000, 31_000]);
  expect(outbox.counts()).toMatchObject({ pending: 0, done: 1, lastRetryReason: null });
  expect(log).toHaveBeenCalledWith(expect.stringContaining('tried again'), expect.objectContaining({ key: 'log-call:a', reason: 'Kommo did not answer (503)', inMs: 1_000 }));
  expect(maxTimers).toBe(1);
});

test("while a write is retried, the admin sees why; Kommo's Retry-After is waited when it is longer", async () => {
  outbox.add([keyed('a')], T0);
  kommo.answer = (_job, tries) => (tries === 1 ? new KommoSaid({ retry: true, afterMs: 30_000, reason: 'Kommo 503, Retry-After 30' }) : []);
  const w = start();
  await flush();
  expect(w.status()).toMatchObject({ running: true, inFlight: 0, pending: 1, lastRetryReason: 'Kommo 503, Retry-After 30', pausedUntil: null });
  await clock.advance(29_999);
  expect(kommo.triesOf('a')).toEqual([0]);
  await clock.advance(1);
  expect(kommo.triesOf('a')).toEqual([0, 30_000]);
  expect(w.status()).toMatchObject({ pending: 0, done: 1 });
});

test('a rate limit (or a refused token) pauses every write, not just that one: nothing is tried until it ends', async () => {
  outbox.add([keyed('a'), keyed('b')], T0);
  kommo.answer = (job, tries) => (uniqOf(job) === 'a' && tries === 1 ? new KommoSaid({ retry: true, afterMs: 60_000, pauseAllMs: 60_000, reason: 'Kommo is rate-limiting (429)' }) : []);
  const w = start({ concurrency: 1 });
  await flush();
  expect(kommo.order()).toEqual(['a']);
  expect(w.status().pausedUntil).toBe(T0 + 60_000);
  // New calls while paused wait too, kicked or not.
  outbox.add([keyed('c')], T0 + 10);
  w.kick();
  await clock.advance(59_999);
  expect(kommo.order()).toEqual(['a']);
  expect(clock.pendingTimers).toBe(1);
  await clock.advance(1);
  expect(kommo.tries.map((t) => `${t.uniq}@${t.at}`)).toEqual(['a@0', 'a@60000', 'b@60000', 'c@60000']);
  expect(w.status()).toMatchObject({ pending: 0, done: 3, pausedUntil: null });
  expect(log).toHaveBeenCalledWith(expect.stringContaining('every Kommo write waits'), { reason: 'Kommo is rate-limiting (429)', forMs: 60_000 });
});

test('a write Kommo refuses for good is set aside with its reason, for the admin, and never tried again', async () => {
  outbox.add([keyed('a'), keyed('b')], T0);
  kommo.answer = (job) => (uniqOf(job) === 'a' ? new KommoSaid({ retry: false, reason: 'Kommo refused POST /api/v4/calls (400)' }) : []);
  const w = start();
  await clock.advance(24 * 60 * 60 * 1000);
  expect(kommo.order()).toEqual(['a', 'b']);
  expect(w.status()).toMatchObject({
    pending: 0,
    done: 1,
    failed: 1,
    failures: [{ key: 'log-call:a', kind: 'log-call', reason: 'Kommo refused POST /api/v4/calls (400)', at: T0 }],
  });
  expect(log).toHaveBeenCalledWith(expect.stringContaining('set aside'), expect.objectContaining({ key: 'log-call:a', attempts: 1 }));
});

test('never more than `concurrency` writes in flight; a finished one makes room for the next', async () => {
  outbox.add(['a', 'b', 'c', 'd', 'e'].map((u) => keyed(u)), T0);
  kommo.answer = () => 'hold';
  const w = start({ concurrency: 2 });
  await clock.advance(10_000);
  expect(kommo.order()).toEqual(['a', 'b']);
  expect(w.status()).toMatchObject({ inFlight: 2, pending: 5 });
  kommo.tries[1]!.resolve();
  await flush();
  expect(kommo.order()).toEqual(['a', 'b', 'c']);
  kommo.tries[0]!.reject(unavailable());
  await flush();
  expect(kommo.order()).toEqual(['a', 'b', 'c', 'd']);
  for (let i = 2; i < 4; i += 1) kommo.tries[i]!.resolve();
  await flush();
  kommo.tries[4]!.resolve();
  await clock.advance(10_000);
  for (const t of kommo.tries.slice(5)) t.resolve();
  await flush();
  expect(kommo.order()).toEqual(['a', 'b', 'c', 'd', 'e', 'a']);
  expect(kommo.maxInFlight).toBe(2);
  expect(outbox.counts()).toMatchObject({ pending: 0, done: 5 });
});

test('older jobs falling due again while newer ones are in flight do not overfill the slots', async () => {
  outbox.add(['a', 'd', 'b', 'c'].map((u) => keyed(u)), T0);
  const [a, d] = outbox.due(T0, 2);
  outbox.retry(a!.id, T0 + 1_000, 'Kommo 503', T0);
  outbox.retry(d!.id, T0 + 1_000, 'Kommo 503', T0);
  kommo.answer = () => 'hold';
  start({ concurrency: 2 });
  await clock.advance(1_000);
  expect(kommo.order()).toEqual(['b', 'c']);
  kommo.tries[1]!.resolve();
  await flush();
  expect(kommo.order()).toEqual(['b', 'c', 'a']);
  expect(kommo.maxInFlight).toBe(2);
});

test('a job that falls due while the writes in flight take long is still seen (within baseMs)', async () => {
  outbox.add([keyed('slow'), keyed('later')], T0);
  const [, later] = outbox.due(T0, 2);
  outbox.retry(later!.id, T0 + 2_500, 'Kommo 503', T0);
  kommo.answer = (job) => (uniqOf(job) === 'slow' ? 'hold' : []);
  start();
  await clock.advance(3_000);
  expect(kommo.tries.map((t) => `${t.uniq}@${t.at}`)).toEqual(['slow@0', 'later@3000']);
  expect(maxTimers).toBe(1);
});

test('stop waits for the writes in flight and records them, clears the timer; after it nothing is tried', async () => {
  outbox.add([keyed('a'), keyed('b')], T0);
  const [, b] = outbox.due(T0, 2);
  outbox.retry(b!.id, T0 + 5_000, 'Kommo 503', T0);
  kommo.answer = () => 'hold';
  const w = start();
  await flush();
  expect(clock.pendingTimers).toBe(1);
  let stopped = false;
  const stopping = w.stop().then(() => (stopped = true));
  expect(clock.pendingTimers).toBe(0);
  await flush();
  expect(stopped).toBe(false);
  expect(w.status()).toMatchObject({ running: false, inFlight: 1 });
  kommo.tries[0]!.resolve([keyed('a', 'call-back-task')]);
  await stopping;
  expect(w.status()).toMatchObject({ running: false, inFlight: 0, done: 1, pending: 2 });
  outbox.add([keyed('c')], clock.now());
  w.kick();
  await clock.advance(60_000);
  expect(kommo.order()).toEqual(['a']);
  expect(clock.pendingTimers).toBe(0);
  // stop undoes start: started again, it goes on.
  kommo.answer = () => [];
  w.start();
  w.start();
  await flush();
  expect(kommo.order()).toEqual(['a', 'b', 'a', 'c']);
});

test('kick after adding: written at once, without waiting for a timer', async () => {
  const w = start();
  await flush();
  expect(clock.pendingTimers).toBe(0);
  outbox.add([keyed('a')], clock.now());
  w.kick();
  expect(kommo.order()).toEqual(['a']);
});

test('a job due later is written at its time, not before', async () => {
  outbox.add([keyed('a')], T0);
  const [a] = outbox.due(T0, 1);
  outbox.retry(a!.id, T0 + 4_000, 'Kommo 503', T0);
  start();
  await clock.advance(3_999);
  expect(kommo.order()).toEqual([]);
  await clock.advance(1);
  expect(kommo.triesOf('a')).toEqual([4_000]);
});

test('an execute that throws at once, or an error classify cannot read, is tried again, never lost', async () => {
  outbox.add([keyed('a')], T0);
  let calls = 0;
  const w = start({
    execute: (job) => {
      calls += 1;
      if (calls === 1) throw new Error('bug in execute');
      return kommo.execute(job);
    },
    classify: (error) => {
      if (error instanceof Error && error.message === 'bug in execute') throw new Error('bug in classify');
      return { retry: false, reason: 'x' };
    },
  });
  await flush();
  expect(w.status()).toMatchObject({ pending: 1, lastRetryReason: 'unclassified: bug in execute' });
  expect(log).toHaveBeenCalledWith(expect.stringContaining('could not be classified'), expect.objectContaining({ classifyError: 'bug in classify' }));
  await clock.advance(1_000);
  expect(w.status()).toMatchObject({ pending: 0, done: 1 });
});

test('an outbox that cannot record a try: logged, the queue waits (longer each time), the job is tried again, not lost', async () => {
  let failSucceed = 2;
  let failDue = 1;
  const real = outbox;
  const broken: Partial<Outbox> = {
    succeed: (id, followUps, now) => {
      if (failSucceed-- > 0) throw new StoreWriteFailed('outbox succeed', { cause: new Error('disk I/O error') });
      real.succeed(id, followUps, now);
    },
    due: (now, limit) => {
      if (failDue-- > 0) throw new Error('disk I/O error');
      return real.due(now, limit);
    },
  };
  outbox = new Proxy(real, { get: (target, name: keyof Outbox) => broken[name] ?? (typeof target[name] === 'function' ? (target[name] as () => unknown).bind(target) : target[name]) });
  outbox.add([keyed('a')], T0);
  const w = start();
  expect(log).toHaveBeenLastCalledWith(expect.stringContaining('outbox read failed'), expect.objectContaining({ waitMs: 1_000 }));
  expect(kommo.order()).toEqual([]);
  await clock.advance(1_000);
  expect(log).toHaveBeenLastCalledWith(expect.stringContaining('outbox succeed write failed'), expect.objectContaining({ key: 'log-call:a', waitMs: 2_000 }));
  await clock.advance(2_000);
  expect(log).toHaveBeenLastCalledWith(expect.stringContaining('outbox succeed write failed'), expect.objectContaining({ waitMs: 4_000 }));
  await clock.advance(4_000);
  // Written three times (Kommo's side dedupes by the call's uniq); recorded once.
  expect(kommo.triesOf('a')).toEqual([1_000, 3_000, 7_000]);
  expect(real.counts()).toMatchObject({ pending: 0, done: 1 });
  expect(clock.pendingTimers).toBe(0);
  // Recorded again: the next trouble starts from the short wait.
  failSucceed = 1;
  outbox.add([keyed('b')], clock.now());
  w.kick();
  await flush();
  expect(log).toHaveBeenLastCalledWith(expect.stringContaining('outbox succeed write failed'), expect.objectContaining({ key: 'log-call:b', waitMs: 1_000 }));
});

test('a bad concurrency or backoff is refused when the worker is made', () => {
  const make = (o: Partial<OutboxWorkerOptions>) => () =>
    createOutboxWorker({ outbox, execute: kommo.execute, classify: () => ({ retry: false, reason: '' }), clock, timers: clock, log, ...o });
  expect(make({ concurrency: 0 })).toThrow(/concurrency must be a positive integer/);
  expect(make({ concurrency: 1.5 })).toThrow(RangeError);
  expect(make({ backoff: { baseMs: 0 } })).toThrow(/backoff/);
  expect(make({ backoff: { baseMs: 10, maxMs: 5 } })).toThrow(/backoff/);
});
