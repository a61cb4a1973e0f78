/**
 * The WebSocket decisions, without a clock or a socket: inputs in, state and effects out.
 * The shell (ws-transport.ts) is covered against real sockets in ws-feed.test.ts.
 */
import { NetworkError, ProtocolError, TimeoutError } from '../../../src/core/errors';
import { BACKOFF_TIMING } from '../../../src/feed/backoff';
import { WS_TIMING, stepWebSocket } from '../../../src/feed/ws-machine';
import type { WsEffect, WsInput, WsState } from '../../../src/feed/ws-machine';

const URL = 'wss://pbx.example.com/ws';
const T0 = 1_000_000;
const TOP = 0.999999;

function run(inputs: WsInput[], state: WsState = { phase: 'idle' }): { state: WsState; effects: WsEffect[] } {
  const effects: WsEffect[] = [];
  for (const input of inputs) {
    const next = stepWebSocket(URL, state, input);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}

const of = <K extends WsEffect['kind']>(effects: WsEffect[], kind: K) => effects.filter((e): e is Extract<WsEffect, { kind: K }> => e.kind === kind);
const statuses = (effects: WsEffect[]) => of(effects, 'emit-status').map((e) => e.status);
const timers = (effects: WsEffect[]) => of(effects, 'set-timer').map((e) => e.ms);
const snapshot = (now = T0): WsInput => ({ kind: 'message', data: JSON.stringify({ type: 'snapshot', calls: [] }), now });
const dropped = (code = 1006, now = T0, random = TOP, hidden = false): WsInput => ({ kind: 'socket-closed', code, reason: '', now, random, hidden });
const message = (frame: unknown, now = T0): WsInput => ({ kind: 'message', data: JSON.stringify(frame), now });
const EPOCH = '9f2c4e1ab07d3e55';
const snapshotV2 = (o: Record<string, unknown> = {}): WsInput => message({ type: 'snapshot', v: 2, epoch: EPOCH, offset: 10, recovered: false, calls: [], events: [], ...o });

const connecting = run([{ kind: 'start' }]).state;
const open = run([snapshot()], connecting).state;

test('start: connecting attempt 0, the connect timeout, a socket; opening sends subscribe; the snapshot opens', () => {
  const { effects } = run([{ kind: 'start' }, { kind: 'socket-open' }, snapshot()]);
  expect(effects).toEqual([
    { kind: 'emit-status', status: { status: 'connecting', attempt: 0 } },
    { kind: 'set-timer', ms: WS_TIMING.connectTimeoutMs },
    { kind: 'open-socket' },
    { kind: 'send', type: 'subscribe', since: null },
    { kind: 'emit-status', status: { status: 'open' } },
    { kind: 'set-timer', ms: WS_TIMING.v1IdlePingMs },
    { kind: 'emit-calls', events: [], complete: true, legs: false, fresh: false },
  ]);
});

test('the connect timeout (10 s): the timer while connecting gives the socket up with a TimeoutError', () => {
  expect(WS_TIMING.connectTimeoutMs).toBe(10_000);
  const { state, effects } = run([{ kind: 'timer', now: T0 + 10_000, random: TOP }], connecting);
  expect(effects[0]).toEqual({ kind: 'discard-socket' });
  const [status] = statuses(effects);
  expect(status).toMatchObject({ status: 'backoff', attempt: 0 });
  expect((status as unknown as { error: TimeoutError }).error).toMatchObject({ method: 'WS', ms: 10_000 });
  expect(state).toEqual({ phase: 'waiting', attempt: 1, failed: 1, renewals: 0, cursor: null, hiddenWait: false, probe: false });
});

test('heartbeat, version-1 relay: ping after 6 s of silence, dead 5 s later (11 s at most); any frame re-arms the idle wait', () => {
  expect([WS_TIMING.v1IdlePingMs, WS_TIMING.pongTimeoutMs]).toEqual([6_000, 5_000]);
  const pinged = run([{ kind: 'timer', now: T0 + 6_000, random: TOP }], open);
  expect(pinged.effects).toEqual([{ kind: 'send', type: 'ping' }, { kind: 'set-timer', ms: 5_000 }]);
  const alive = run([{ kind: 'message', data: 'not json', now: T0 + 8_000 }], pinged.state);
  expect(timers(alive.effects)).toEqual([6_000]);
  expect(alive.state).toMatchObject({ phase: 'open', pinged: false });
  const dead = run([{ kind: 'timer', now: T0 + 11_000, random: TOP }], pinged.state);
  expect((statuses(dead.effects)[0] as unknown as { error: TimeoutError }).error).toMatchObject({ method: 'PING', ms: 5_000 });
  expect(of(dead.effects, 'discard-socket')).toHaveLength(1);
});

test('heartbeat, version-2 relay: a ping 5 s after the last send whatever arrives; no frame within 5 s of a ping is a dead socket (10 s at most)', () => {
  const v2 = run([snapshotV2()], connecting);
  expect(timers(v2.effects)).toEqual([WS_TIMING.pingEveryMs]);
  expect(v2.state).toMatchObject({ phase: 'open', v2: true });
  // Frames arriving do not postpone the ping (the relay counts what the widget sends).
  const busy = run([message({ type: 'call', offset: 11, call: { call_id: 'a', state: 'ringing', direction: 'inbound', phone: '', extension: '101' } })], v2.state);
  expect(timers(busy.effects)).toEqual([]);
  const pinged = run([{ kind: 'timer', now: T0 + 5_000, random: TOP }], busy.state);
  expect(pinged.effects).toEqual([{ kind: 'send', type: 'ping' }, { kind: 'set-timer', ms: 5_000 }]);
  // Answered: the next timer is simply the next ping.
  const answered = run([message({ type: 'pong', offset: 12 }), { kind: 'timer', now: T0 + 10_000, random: TOP }], pinged.state);
  expect(of(answered.effects, 'send')).toEqual([{ kind: 'send', type: 'ping' }]);
  const dead = run([{ kind: 'timer', now: T0 + 10_000, random: TOP }], pinged.state);
  expect(statuses(dead.effects)).toMatchObject([{ status: 'backoff', error: expect.any(TimeoutError) }]);
});

test('a ping from the relay is answered with a pong', () => {
  expect(of(run([{ kind: 'message', data: '{"type":"ping"}', now: T0 }], open).effects, 'send')).toEqual([{ kind: 'send', type: 'pong' }]);
});

test('a visible tab retries every transient failure after [250, 1000) ms, however many in a row (probing first after the fourth)', () => {
  expect([BACKOFF_TIMING.quickMinMs, BACKOFF_TIMING.quickMaxMs]).toEqual([250, 1000]);
  let state = connecting;
  const delays: number[] = [];
  for (let i = 0; i < 50; i += 1) {
    const failed = run([dropped(1006, T0, i % 2 === 0 ? TOP : 0)], state);
    delays.push(...timers(failed.effects));
    state = run([{ kind: 'timer', now: T0, random: TOP }], failed.state).state;
    if (state.phase === 'probing') state = run([{ kind: 'probe-answered' }], state).state;
  }
  expect(Math.max(...delays)).toBe(999);
  expect(Math.min(...delays)).toBe(250);
  expect(state).toMatchObject({ phase: 'connecting', attempt: 50 });
});

test('a hidden tab backs off with full jitter: ceilings 1, 2, 4, 8 s ... capped at 30 s; becoming visible reconnects at once', () => {
  expect([BACKOFF_TIMING.baseMs, BACKOFF_TIMING.capMs]).toEqual([1000, 30_000]);
  let state = connecting;
  const delays: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    const failed = run([dropped(1006, T0, TOP, true)], state);
    expect(failed.state).toMatchObject({ phase: 'waiting', hiddenWait: true });
    delays.push(...timers(failed.effects));
    state = run([{ kind: 'timer', now: T0, random: TOP }], failed.state).state;
  }
  expect(delays.map((ms) => Math.ceil(ms / 1000))).toEqual([1, 2, 4, 8, 16, 30, 30]);
  expect(Math.max(...delays)).toBeLessThan(30_000);
  expect(Math.max(...delays)).toBeGreaterThanOrEqual(29_999);
  expect(timers(run([dropped(1006, T0, 0, true)], connecting).effects)).toEqual([0]);
  const waiting = run([dropped(1006, T0, TOP, true)], connecting).state;
  expect(run([{ kind: 'visible' }], waiting).effects).toEqual([
    { kind: 'emit-status', status: { status: 'connecting', attempt: 1 } },
    { kind: 'set-timer', ms: WS_TIMING.connectTimeoutMs },
    { kind: 'open-socket' },
  ]);
  // A visible tab's quick wait and a long non-transient wait are not cut short.
  expect(run([{ kind: 'visible' }], run([dropped()], connecting).state).effects).toEqual([]);
  expect(run([{ kind: 'visible' }], run([dropped(4400, T0, TOP, true)], connecting).state).effects).toEqual([]);
});

test('overloaded: the frame\'s retry_after plus up to as much again (at most 300 s), also when hidden; visible does not cut it; a bare 4503 or 4429 backs off exponentially', () => {
  const told = (retryAfter: number, random: number, code = 4503) =>
    run([message({ type: 'error', code: 'overloaded', retry_after: retryAfter }), dropped(code, T0, random)], connecting);
  const low = told(10, 0);
  expect(low.effects).toContainEqual({ kind: 'drop', dropped: { kind: 'relay_error:overloaded' } });
  expect(timers(low.effects)).toEqual([10_000]);
  expect(timers(told(10, TOP).effects)).toEqual([19_999]);
  expect(timers(told(100_000, TOP).effects)).toEqual([300_000]);
  expect(run([{ kind: 'visible' }], low.state).effects).toEqual([]);
  // Without a frame: half the exponential ceiling at least, growing per attempt up to 30 s.
  let state = connecting;
  const delays: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    const failed = run([dropped(i % 2 === 0 ? 4503 : 4429, T0, 0)], state);
    delays.push(...timers(failed.effects));
    state = run([{ kind: 'timer', now: T0, random: 0 }], failed.state).state;
  }
  expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
});

test('version 2: the position is kept from the snapshot, call frames and pongs, survives the reconnect and goes out as since', () => {
  const call = (offset: number, callId: string, state = 'ringing') => message({ type: 'call', offset, call: { call_id: callId, state, direction: 'inbound', phone: '', extension: '101' } });
  const first = run([snapshotV2(), call(12, 'a'), message({ type: 'pong', offset: 15 }), message({ type: 'pong', offset: 14 })], connecting);
  expect(first.state).toMatchObject({ cursor: { epoch: EPOCH, offset: 15 } });
  expect(of(first.effects, 'emit-calls').map((e) => [e.events.length, e.complete, e.legs, e.fresh])).toEqual([
    [0, true, true, true],
    [1, false, true, false],
  ]);
  const back = run([dropped(), { kind: 'timer', now: T0 + 1000, random: TOP }, { kind: 'socket-open' }], first.state);
  expect(of(back.effects, 'send')).toEqual([{ kind: 'send', type: 'subscribe', since: { epoch: EPOCH, offset: 15 } }]);
  // Recovered: the missed events first, in order, then the list, in one complete batch; not fresh.
  const event = (callId: string, state: string) => ({ call_id: callId, state, direction: 'inbound', phone: '', extension: '101', at: 1 });
  const recovered = run([snapshotV2({ offset: 20, recovered: true, events: [{ offset: 16, call: event('b', 'ringing') }, { offset: 18, call: event('b', 'ended') }], calls: [event('b', 'ended')] })], back.state);
  const [batch] = of(recovered.effects, 'emit-calls');
  expect(batch?.events.map((e) => `${e.callId}:${e.state}`)).toEqual(['b:ringing', 'b:ended', 'b:ended']);
  expect(batch).toMatchObject({ complete: true, legs: true, fresh: false });
  expect(of(recovered.effects, 'warn')).toEqual([]);
  expect(recovered.state).toMatchObject({ cursor: { epoch: EPOCH, offset: 20 } });
  // Not recovered after a position: the list alone and a log line; the new epoch is the position.
  const lost = run([snapshotV2({ epoch: 'another', offset: 3 })], run([dropped(), { kind: 'timer', now: T0, random: TOP }], recovered.state).state);
  expect(of(lost.effects, 'warn')).toHaveLength(1);
  expect(lost.state).toMatchObject({ cursor: { epoch: 'another', offset: 3 } });
  expect(of(lost.effects, 'emit-calls')[0]).toMatchObject({ fresh: false });
  // A version-1 answer forgets the position: the next subscribe asks afresh.
  const v1 = run([snapshot()], run([dropped(), { kind: 'timer', now: T0, random: TOP }], lost.state).state);
  expect(v1.state).toMatchObject({ cursor: null, v2: false });
});

test('a connection healthy for 60 s resets the attempts; 1 ms less does not', () => {
  expect(BACKOFF_TIMING.healthyConnectionMs).toBe(60_000);
  const struggling: WsState = { phase: 'open', attempt: 4, failed: 0, renewals: 0, cursor: null, openedAt: T0, pinged: false, v2: false, askedMs: null };
  expect(statuses(run([dropped(1006, T0 + 59_999)], struggling).effects)).toMatchObject([{ status: 'backoff', attempt: 4 }]);
  expect(statuses(run([dropped(1006, T0 + 60_000)], struggling).effects)).toMatchObject([{ status: 'backoff', attempt: 0 }]);
});

test.each([1002, 1003, 1007, 4400])('close %d says our request is wrong: not transient, the long retry, and the status says so', (code) => {
  const { effects } = run([dropped(code)], open);
  const [status] = statuses(effects);
  expect(status).toMatchObject({ status: 'backoff', attempt: 0, retryInMs: BACKOFF_TIMING.nonTransientMs });
  expect((status as unknown as { error: ProtocolError }).error).toBeInstanceOf(ProtocolError);
  expect((status as unknown as { error: ProtocolError }).error.transient).toBe(false);
});

test.each([1000, 1001, 1006, 1009, 1011, 4408])('close %d is transient: a NetworkError and the quick retry', (code) => {
  const [status] = statuses(run([dropped(code)], open).effects);
  expect((status as unknown as { error: NetworkError }).error).toBeInstanceOf(NetworkError);
  expect((status as { retryInMs: number }).retryInMs).toBeLessThan(1000);
});

test('a URL the browser refuses (the constructor threw): the long retry with a ProtocolError', () => {
  const { state, effects } = run([{ kind: 'unopenable', cause: new SyntaxError('bad url'), random: TOP }], connecting);
  expect(effects).toEqual([{ kind: 'emit-status', status: { status: 'backoff', attempt: 0, retryInMs: 300_000, error: expect.any(ProtocolError) } }, { kind: 'set-timer', ms: 300_000 }]);
  expect(state).toEqual({ phase: 'waiting', attempt: 1, failed: 1, renewals: 0, cursor: null, hiddenWait: false, probe: false });
});

test('a refused credential (4401, 4419 or their frames) is renewed and retried quickly once; refused again before a snapshot it closes for good', () => {
  expect(WS_TIMING.renewalsPerConnection).toBe(1);
  const refusals: WsInput[] = [
    dropped(4401),
    dropped(4419),
    { kind: 'message', data: '{"type":"error","code":"unauthorized"}', now: T0 },
    { kind: 'message', data: '{"type":"error","code":"ticket_expired"}', now: T0 },
  ];
  for (const input of refusals) {
    const first = run([input], open);
    expect(first.effects[0]).toEqual({ kind: 'renew-credential' });
    expect(first.effects).toContainEqual({ kind: 'discard-socket' });
    expect(timers(first.effects)[0]).toBeLessThan(BACKOFF_TIMING.quickMaxMs);
    expect(first.state).toMatchObject({ phase: 'waiting', renewals: 1 });
    // The next socket is refused too: the end, whatever the refusal was.
    const again = run([{ kind: 'timer', now: T0, random: TOP }, input], first.state);
    expect(again.state).toEqual({ phase: 'closed' });
    expect(statuses(again.effects).at(-1)).toEqual({ status: 'closed', reason: 'unauthorized' });
    expect(run([{ kind: 'nudge' }, { kind: 'timer', now: T0, random: TOP }, { kind: 'stop' }, { kind: 'start' }], again.state).effects).toEqual([]);
  }
  // A snapshot in between proves the renewed credential: the next refusal is renewed again.
  const healed = run([dropped(4419), { kind: 'timer', now: T0, random: TOP }, { kind: 'socket-open' }, snapshot(), dropped(4419)], open);
  expect(healed.state).toMatchObject({ phase: 'waiting', renewals: 1 });
  // Any other error frame is logged and the socket kept.
  expect(run([{ kind: 'message', data: '{"type":"error","code":"busy"}', now: T0 }], open).effects).toContainEqual({ kind: 'drop', dropped: { kind: 'relay_error:busy' } });
});

test('4403 or forbidden_extension: closed forbidden at once, no renewal, no retry', () => {
  for (const input of [dropped(4403), { kind: 'message', data: '{"type":"error","code":"forbidden_extension","extensions":["102"]}', now: T0 } as WsInput]) {
    const { state, effects } = run([input], open);
    expect(state).toEqual({ phase: 'closed' });
    expect(statuses(effects)).toEqual([{ status: 'closed', reason: 'forbidden' }]);
    expect(of(effects, 'renew-credential')).toEqual([]);
  }
});

test('a renewed ticket on an open socket is presented with auth; elsewhere it waits for the next subscribe', () => {
  expect(run([{ kind: 'renewed' }], open).effects).toEqual([{ kind: 'send', type: 'auth' }]);
  expect(run([{ kind: 'renewed' }], connecting).effects).toEqual([]);
});

test('nudge reconnects at once from waiting or open (attempt 0), not while connecting', () => {
  const waiting: WsState = { phase: 'waiting', attempt: 5, failed: 5, renewals: 0, cursor: null, hiddenWait: false, probe: true };
  expect(run([{ kind: 'nudge' }], waiting).effects.slice(0, 1)).toEqual([{ kind: 'emit-status', status: { status: 'connecting', attempt: 0 } }]);
  expect(run([{ kind: 'nudge' }], open).effects[0]).toEqual({ kind: 'discard-socket' });
  expect(run([{ kind: 'nudge' }], connecting).effects).toEqual([]);
});

test('stop: clears the timer, drops the socket, says closed stopped', () => {
  expect(run([{ kind: 'stop' }], open).effects).toEqual([{ kind: 'clear-timer' }, { kind: 'discard-socket' }, { kind: 'emit-status', status: { status: 'closed', reason: 'stopped' } }]);
  expect(run([{ kind: 'stop' }], { phase: 'waiting', attempt: 1, failed: 1, renewals: 0, cursor: null, hiddenWait: false, probe: false }).effects.map((e) => e.kind)).toEqual(['clear-timer', 'emit-status']);
});

describe('after 4 failed sockets in a row a visible tab probes over HTTP (Chromium throttles failing WebSockets)', () => {
  const fail = (state: WsState, times: number, hidden = false) => {
    let current = state;
    for (let i = 0; i < times; i++) current = run([dropped(1006, T0, TOP, hidden), { kind: 'timer', now: T0, random: TOP, hidden }], current).state;
    return current;
  };
  const failedFour = run([dropped()], fail(connecting, 3)).state;

  test('three failures reconnect with sockets; the fourth waits for a probe, and the probe timer is 3 s', () => {
    expect(WS_TIMING.probeAfterFailures).toBe(4);
    expect(run([dropped()], fail(connecting, 2)).state).toMatchObject({ phase: 'waiting', failed: 3, probe: false });
    expect(failedFour).toMatchObject({ phase: 'waiting', failed: 4, probe: true });
    const probing = run([{ kind: 'timer', now: T0, random: TOP }], failedFour);
    expect(probing.effects).toEqual([{ kind: 'set-timer', ms: 3_000 }, { kind: 'probe' }]);
    expect(probing.state).toMatchObject({ phase: 'probing', failed: 4 });
  });

  test('an answered probe opens a socket at once; a failed or timed-out probe waits the quick delay and probes again', () => {
    const probing = run([{ kind: 'timer', now: T0, random: TOP }], failedFour).state;
    expect(run([{ kind: 'probe-answered' }], probing).effects.map((e) => e.kind)).toEqual(['emit-status', 'set-timer', 'open-socket']);
    for (const input of [{ kind: 'probe-failed', now: T0, random: 0, hidden: false }, { kind: 'timer', now: T0, random: 0, hidden: false }] as WsInput[]) {
      const failed = run([input], probing);
      expect(timers(failed.effects)).toEqual([BACKOFF_TIMING.quickMinMs]);
      // A probe failure is not a socket failure: the count stays, the next wait probes again.
      expect(failed.state).toMatchObject({ phase: 'waiting', failed: 4, probe: true });
      expect(run([{ kind: 'timer', now: T0, random: TOP }], failed.state).effects).toContainEqual({ kind: 'probe' });
    }
  });

  test('a snapshot resets the count: the next failure reconnects with a socket again', () => {
    const back = run([{ kind: 'timer', now: T0, random: TOP }, { kind: 'probe-answered' }, { kind: 'socket-open' }, snapshot()], failedFour).state;
    expect(back).toMatchObject({ phase: 'open', failed: 0 });
    expect(run([dropped()], back).state).toMatchObject({ phase: 'waiting', failed: 1, probe: false });
  });

  test('a socket that fails after an answered probe goes back to probing, not to a run of sockets', () => {
    const reopened = run([{ kind: 'timer', now: T0, random: TOP }, { kind: 'probe-answered' }, dropped()], failedFour).state;
    expect(reopened).toMatchObject({ phase: 'waiting', failed: 5, probe: true });
  });

  test('a hidden tab keeps its exponential backoff with sockets (it fails rarely anyway); an overloaded relay too', () => {
    expect(fail(connecting, 6, true)).toMatchObject({ phase: 'connecting', failed: 6 });
    expect(run([dropped(1006, T0, TOP, true)], fail(connecting, 6, true)).state).toMatchObject({ phase: 'waiting', probe: false });
    expect(run([dropped(4503)], { ...(connecting as Extract<WsState, { phase: 'connecting' }>), failed: 6 }).state).toMatchObject({ phase: 'waiting', failed: 7, probe: false });
  });

  test('stop or nudge while probing discards the probe', () => {
    const probing = run([{ kind: 'timer', now: T0, random: TOP }], failedFour).state;
    expect(run([{ kind: 'stop' }], probing).effects.map((e) => e.kind)).toEqual(['clear-timer', 'discard-socket', 'emit-status']);
    expect(run([{ kind: 'nudge' }], probing).effects.map((e) => e.kind)).toEqual(['discard-socket', 'emit-status', 'set-timer', 'open-socket']);
    // A probe outcome that comes late (after the timeout moved on) changes nothing.
    const moved = run([{ kind: 'timer', now: T0, random: TOP }], probing).state;
    expect(run([{ kind: 'probe-answered' }], moved).effects).toEqual([]);
  });
});
