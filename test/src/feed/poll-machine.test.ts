/**
 * The polling decisions, without a clock or a network: inputs in, state and effects out.
 * The shell (poll-transport.ts) is covered against real HTTP in poll-feed.test.ts.
 */
import { HttpError, NetworkError, ProtocolError, TimeoutError } from '../../../src/core/errors';
import type { WidgetError } from '../../../src/core/errors';
import { BACKOFF_TIMING } from '../../../src/feed/backoff';
import { POLL_TIMING, stepPoll } from '../../../src/feed/poll-machine';
import type { PollEffect, PollInput, PollOutcome, PollState } from '../../../src/feed/poll-machine';

const INTERVAL = 3000;
const config = { url: 'https://pbx.example.com/calls', method: 'GET' as const, intervalMs: INTERVAL };
const T0 = 1_000_000;

/** Feeds the inputs in order; answers the last state and every effect. */
function run(inputs: PollInput[], state: PollState = { phase: 'idle' }): { state: PollState; effects: PollEffect[] } {
  const effects: PollEffect[] = [];
  for (const input of inputs) {
    const next = stepPoll(config, state, input);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}

const calls = (etag: string | null): PollOutcome => ({ kind: 'calls', events: [], dropped: [], etag });
const answer = (outcome: PollOutcome, now = T0, slow = false): PollInput => ({ kind: 'outcome', now, outcome, slow });
const failure = (error: WidgetError, now = T0): PollInput => answer({ kind: 'failed', error }, now);
const of = <K extends PollEffect['kind']>(effects: PollEffect[], kind: K) => effects.filter((e): e is Extract<PollEffect, { kind: K }> => e.kind === kind);
const statuses = (effects: PollEffect[]) => of(effects, 'emit-status').map((e) => e.status);
const timers = (effects: PollEffect[]) => of(effects, 'set-timer').map((e) => e.ms);
const requests = (effects: PollEffect[]) => of(effects, 'request').map((e) => e.etag);

const started = run([{ kind: 'start', now: T0 }]).state;
const open = run([answer(calls(null))], started).state;

test('start: connecting, one request with the stall timeout; a second start does nothing', () => {
  const { state, effects } = run([{ kind: 'start', now: T0 }]);
  expect(effects).toEqual([
    { kind: 'emit-status', status: { status: 'connecting', attempt: 0 } },
    { kind: 'set-timer', ms: POLL_TIMING.requestTimeoutMs },
    { kind: 'request', etag: null, since: null },
  ]);
  expect(stepPoll(config, state, { kind: 'start', now: T0 }).effects).toEqual([]);
});

test('the first answer opens, emits the calls, drops first, and waits one interval; later answers do not re-open', () => {
  const dropped = { kind: 'event:state' };
  const first = run([answer({ kind: 'calls', events: [], dropped: [dropped], etag: '"v1"' })], started);
  expect(first.effects.map((e) => e.kind)).toEqual(['clear-timer', 'emit-status', 'drop', 'emit-calls', 'set-timer']);
  expect(statuses(first.effects)).toEqual([{ status: 'open' }]);
  expect(first.state).toEqual({ phase: 'waiting', dueAt: T0 + INTERVAL, etag: '"v1"', cursor: null, renewals: 0 });
  const later = run([{ kind: 'timer', now: T0 + INTERVAL }, answer({ kind: 'not-modified' }, T0 + INTERVAL)], first.state);
  expect(statuses(later.effects)).toEqual([]);
  expect(of(later.effects, 'emit-calls')).toEqual([]);
});

test('every request carries the newest ETag: a 304 keeps it, a fresh answer replaces it, an answer without one clears it', () => {
  const steps = run(
    [
      answer(calls('"v1"')),
      { kind: 'timer', now: T0 + 3000 },
      answer({ kind: 'not-modified' }),
      { kind: 'timer', now: T0 + 6000 },
      answer(calls('"v2"')),
      { kind: 'timer', now: T0 + 9000 },
      failure(new HttpError(503, 'GET', config.url)),
      { kind: 'timer', now: T0 + 20_000 },
      answer(calls('"v3"')),
      { kind: 'timer', now: T0 + 30_000 },
      answer(calls(null)),
      { kind: 'timer', now: T0 + 40_000 },
    ],
    started,
  );
  expect(requests(steps.effects)).toEqual(['"v1"', '"v1"', '"v2"', '"v2"', '"v3"', null]);
});

test('a hidden tab that serves no other tab waits hiddenSlowdown intervals, not one more or less', () => {
  const hidden = run([answer(calls(null), T0, true)], started);
  expect(timers(hidden.effects)).toEqual([INTERVAL * POLL_TIMING.hiddenSlowdown]);
  expect(POLL_TIMING.hiddenSlowdown).toBe(4);
  // Visible again: a poll due more than one interval away is brought forward.
  const soon = run([{ kind: 'visible', now: T0 + INTERVAL - 1 }], hidden.state);
  expect(soon.effects).toEqual([{ kind: 'set-timer', ms: 1 }]);
  const due = run([{ kind: 'visible', now: T0 + INTERVAL }], hidden.state);
  expect(requests(due.effects)).toEqual([null]);
  // Within one interval of the due time already: nothing changes.
  expect(run([{ kind: 'visible', now: T0 + INTERVAL * 3 }], hidden.state).effects).toEqual([]);
  expect(requests(run([{ kind: 'visible', now: T0 + INTERVAL * 3 - 1 }], hidden.state).effects)).toEqual([null]);
  // A visible tab's wait is never shortened.
  expect(run([{ kind: 'visible', now: T0 }], open).effects).toEqual([]);
});

test('the stall timeout: the timer while a request is in flight cancels it and retries after one interval (hidden: two) with a TimeoutError', () => {
  const { state, effects } = run([{ kind: 'timer', now: T0 + POLL_TIMING.requestTimeoutMs }], started);
  expect(POLL_TIMING.requestTimeoutMs).toBe(10_000);
  expect(effects[0]).toEqual({ kind: 'cancel-request' });
  const [status] = statuses(effects);
  expect(status).toMatchObject({ status: 'backoff', attempt: 1, retryInMs: INTERVAL });
  expect(statuses(run([{ kind: 'timer', now: T0 + POLL_TIMING.requestTimeoutMs, slow: true }], started).effects)).toMatchObject([{ retryInMs: 2 * INTERVAL }]);
  expect((status as unknown as { error: unknown }).error).toBeInstanceOf(TimeoutError);
  expect((status as unknown as { error: TimeoutError }).error).toMatchObject({ method: 'GET', ms: 10_000 });
  expect(state).toEqual({ phase: 'backoff', errors: 1, hiddenWait: false, etag: null, cursor: null, renewals: 0 });
});

test('429/503 double the interval up to the cap; Retry-After is obeyed within the cap; recovery resets', () => {
  const busy = (retryAfterMs?: number) => failure(new HttpError(503, 'GET', config.url, retryAfterMs));
  const again = { kind: 'timer' as const, now: T0 };
  const { effects, state } = run([busy(), again, busy(), again, busy(), again, busy(), again, busy(29_999), again, busy(30_001)], started);
  expect(timers(effects).filter((ms) => ms !== POLL_TIMING.requestTimeoutMs)).toEqual([6000, 12_000, 24_000, 30_000, 30_000, 30_000]);
  expect(statuses(effects).map((s) => (s as { attempt: number }).attempt)).toEqual([1, 2, 3, 4, 5, 6]);
  const asked = run([busy(20_000)], started);
  expect(timers(asked.effects)).toEqual([20_000]);
  const recovered = run([again, answer(calls(null))], state);
  expect(statuses(recovered.effects)).toEqual([{ status: 'open' }]);
  const next = run([{ kind: 'timer', now: T0 }, failure(new HttpError(429, 'GET', config.url))], recovered.state);
  expect(statuses(next.effects)).toMatchObject([{ status: 'backoff', attempt: 1, retryInMs: 6000 }]);
});

test('a hidden tab backs off on network errors too; becoming visible polls at once (not after a 429/503)', () => {
  const down = (slow: boolean) => answer({ kind: 'failed', error: new NetworkError('GET', config.url) }, T0, slow);
  const hidden = run([down(true)], started);
  expect(timers(hidden.effects)).toEqual([2 * INTERVAL]);
  expect(requests(run([{ kind: 'visible', now: T0 + 1 }], hidden.state).effects)).toEqual([null]);
  const busy = run([answer({ kind: 'failed', error: new HttpError(503, 'GET', config.url) }, T0, true)], started);
  expect(run([{ kind: 'visible', now: T0 + 1 }], busy.state).effects).toEqual([]);
});

test('version 2: the position from each answer goes out as since; recovered answers replay the missed events first, one batch; a lost gap logs and takes the list', () => {
  const event = (callId: string, state: 'ringing' | 'ended') => ({ callId, state, direction: 'inbound' as const, phone: '', extension: '101', at: 1 });
  const stream = (offset: number, recovered: boolean, missed: ReturnType<typeof event>[] = [], epoch = 'e1') => ({
    version: 2 as const,
    epoch,
    offset,
    recovered,
    missed: missed.map((e, i) => ({ offset: offset - missed.length + i + 1, event: e })),
  });
  const v2 = (offset: number, recovered: boolean, missed: ReturnType<typeof event>[] = [], calls: ReturnType<typeof event>[] = [], epoch = 'e1'): PollOutcome => ({
    kind: 'calls',
    events: calls,
    dropped: [],
    etag: null,
    stream: stream(offset, recovered, missed, epoch),
  });
  const first = run([answer(v2(5, false, [], [event('old', 'ended')]))], started);
  expect(of(first.effects, 'emit-calls')).toEqual([{ kind: 'emit-calls', events: [event('old', 'ended')], complete: true, legs: true, fresh: true }]);
  const second = run([{ kind: 'timer', now: T0 + INTERVAL }], first.state);
  expect(of(second.effects, 'request')).toEqual([{ kind: 'request', etag: null, since: { epoch: 'e1', offset: 5 } }]);
  const recovered = run([answer(v2(7, true, [event('b', 'ringing'), event('b', 'ended')], [event('b', 'ended')]))], second.state);
  expect(of(recovered.effects, 'emit-calls')[0]).toMatchObject({ events: [event('b', 'ringing'), event('b', 'ended'), event('b', 'ended')], fresh: false });
  expect(of(recovered.effects, 'warn')).toEqual([]);
  const lost = run([{ kind: 'timer', now: T0 }, answer(v2(2, false, [], [], 'e2'))], recovered.state);
  expect(of(lost.effects, 'warn')).toHaveLength(1);
  expect(lost.state).toMatchObject({ cursor: { epoch: 'e2', offset: 2 } });
  // A 304 keeps the position; a version-1 answer drops it.
  expect(run([{ kind: 'timer', now: T0 }, answer({ kind: 'not-modified' })], lost.state).state).toMatchObject({ cursor: { epoch: 'e2', offset: 2 } });
  expect(run([{ kind: 'timer', now: T0 }, answer(calls(null))], lost.state).state).toMatchObject({ cursor: null });
});

test.each([
  ['a 404', new HttpError(404, 'GET', config.url)],
  ['a 400', new HttpError(400, 'GET', config.url, 1000)],
  ['a body outside the protocol', new ProtocolError('feed: bad poll answer (poll:not_json)')],
])('%s is not transient: it waits the long retry, however often it repeats, and says which error', (_name, error) => {
  const { effects } = run([failure(error), { kind: 'timer', now: T0 }, failure(error)], started);
  expect(timers(effects).filter((ms) => ms !== POLL_TIMING.requestTimeoutMs)).toEqual([BACKOFF_TIMING.nonTransientMs, BACKOFF_TIMING.nonTransientMs]);
  expect(BACKOFF_TIMING.nonTransientMs).toBe(300_000);
  expect(statuses(effects)).toEqual([
    { status: 'backoff', attempt: 1, retryInMs: 300_000, error },
    { status: 'backoff', attempt: 2, retryInMs: 300_000, error },
  ]);
});

test('a bad body is dropped (logged) before the backoff status', () => {
  const outcome: PollOutcome = { kind: 'failed', error: new ProtocolError('bad'), dropped: { kind: 'poll:not_json' } };
  expect(run([answer(outcome)], started).effects.map((e) => e.kind)).toEqual(['clear-timer', 'drop', 'emit-status', 'set-timer']);
});

test('unauthorized: renewed and asked again at once; unauthorized again closes for good: warns once, and nothing after does anything', () => {
  expect(POLL_TIMING.renewalsPerAnswer).toBe(1);
  const renewing = run([answer({ kind: 'unauthorized' })], started);
  expect(renewing.effects.map((e) => e.kind)).toEqual(['clear-timer', 'renew-credential', 'set-timer', 'request']);
  expect(renewing.state).toMatchObject({ phase: 'polling', renewals: 1 });
  const { state, effects } = run([answer({ kind: 'unauthorized' })], renewing.state);
  expect(state).toEqual({ phase: 'closed' });
  expect(statuses(effects)).toEqual([{ status: 'closed', reason: 'unauthorized' }]);
  expect(of(effects, 'warn')).toHaveLength(1);
  expect(run([{ kind: 'timer', now: T0 }, { kind: 'nudge', now: T0 }, { kind: 'stop' }, { kind: 'start', now: T0 }], state).effects).toEqual([]);
  // An answer with calls in between resets the renewals.
  const healed = run([answer({ kind: 'not-modified' }), { kind: 'timer', now: T0 + INTERVAL }, answer({ kind: 'unauthorized' })], renewing.state);
  expect(healed.state).toMatchObject({ phase: 'polling', renewals: 1 });
});

test('forbidden (403, forbidden_extension): closed forbidden at once, no renewal', () => {
  const { state, effects } = run([answer({ kind: 'forbidden' })], started);
  expect(state).toEqual({ phase: 'closed' });
  expect(statuses(effects)).toEqual([{ status: 'closed', reason: 'forbidden' }]);
  expect(of(effects, 'renew-credential')).toEqual([]);
});

test('nudge: polls at once while waiting or backing off; a request older than one interval is replaced, a younger one kept', () => {
  expect(requests(run([{ kind: 'nudge', now: T0 + 1 }], open).effects)).toEqual([null]);
  const backoff = run([failure(new NetworkError('GET', config.url))], started).state;
  const nudged = run([{ kind: 'nudge', now: T0 + 1 }], backoff);
  expect(requests(nudged.effects)).toEqual([null]);
  expect(nudged.state).toMatchObject({ phase: 'polling', errors: 1, open: false });
  expect(run([{ kind: 'nudge', now: T0 + INTERVAL - 1 }], started).effects).toEqual([]);
  expect(run([{ kind: 'nudge', now: T0 + INTERVAL }], started).effects.map((e) => e.kind)).toEqual(['cancel-request', 'set-timer', 'request']);
  expect(run([{ kind: 'nudge', now: T0 }]).effects).toEqual([]); // not started
});

test('stop: cancels what is in flight, clears the timer, says closed stopped; late answers change nothing', () => {
  const { state, effects } = run([{ kind: 'stop' }], started);
  expect(effects).toEqual([{ kind: 'clear-timer' }, { kind: 'cancel-request' }, { kind: 'emit-status', status: { status: 'closed', reason: 'stopped' } }]);
  expect(run([answer(calls(null)), { kind: 'timer', now: T0 }], state).effects).toEqual([]);
  expect(run([{ kind: 'stop' }], open).effects).toEqual([{ kind: 'clear-timer' }, { kind: 'emit-status', status: { status: 'closed', reason: 'stopped' } }]);
});
