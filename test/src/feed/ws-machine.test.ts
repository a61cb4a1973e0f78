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
const dropped = (code = 1006, now = T0, random = TOP): WsInput => ({ kind: 'socket-closed', code, reason: '', now, random });

const connecting = run([{ kind: 'start' }]).state;
const open = run([snapshot()], connecting).state;

test('start: connecting attempt 0, the connect timeout, a socket; opening sends subscribe; the snapshot opens', () => {
  const { effects } = run([{ kind: 'start' }, { kind: 'socket-open' }, snapshot()]);
  expect(effects).toEqual([
    { kind: 'emit-status', status: { status: 'connecting', attempt: 0 } },
    { kind: 'set-timer', ms: WS_TIMING.connectTimeoutMs },
    { kind: 'open-socket' },
    { kind: 'send', type: 'subscribe' },
    { kind: 'set-timer', ms: WS_TIMING.idlePingMs },
    { kind: 'emit-status', status: { status: 'open' } },
    { kind: 'emit-calls', events: [], complete: true },
  ]);
});

test('the connect timeout (10 s): the timer while connecting gives the socket up with a TimeoutError', () => {
  expect(WS_TIMING.connectTimeoutMs).toBe(10_000);
  const { state, effects } = run([{ kind: 'timer', now: T0 + 10_000, random: TOP }], connecting);
  expect(effects[0]).toEqual({ kind: 'discard-socket' });
  const [status] = statuses(effects);
  expect(status).toMatchObject({ status: 'backoff', attempt: 0 });
  expect((status as unknown as { error: TimeoutError }).error).toMatchObject({ method: 'WS', ms: 10_000 });
  expect(state).toEqual({ phase: 'waiting', attempt: 1 });
});

test('heartbeat: ping after 25 s of silence, dead 10 s later; any frame re-arms the idle wait', () => {
  expect([WS_TIMING.idlePingMs, WS_TIMING.pongTimeoutMs]).toEqual([25_000, 10_000]);
  const pinged = run([{ kind: 'timer', now: T0 + 25_000, random: TOP }], open);
  expect(pinged.effects).toEqual([{ kind: 'send', type: 'ping' }, { kind: 'set-timer', ms: 10_000 }]);
  const alive = run([{ kind: 'message', data: 'not json', now: T0 + 30_000 }], pinged.state);
  expect(timers(alive.effects)).toEqual([25_000]);
  expect(alive.state).toMatchObject({ phase: 'open', pinged: false });
  const dead = run([{ kind: 'timer', now: T0 + 35_000, random: TOP }], pinged.state);
  expect((statuses(dead.effects)[0] as unknown as { error: TimeoutError }).error).toMatchObject({ method: 'PING', ms: 10_000 });
  expect(of(dead.effects, 'discard-socket')).toHaveLength(1);
});

test('a ping from the relay is answered with a pong', () => {
  expect(of(run([{ kind: 'message', data: '{"type":"ping"}', now: T0 }], open).effects, 'send')).toEqual([{ kind: 'send', type: 'pong' }]);
});

test('transient failures back off with full jitter: ceilings 1, 2, 4, 8 s ... capped at 30 s', () => {
  expect([BACKOFF_TIMING.baseMs, BACKOFF_TIMING.capMs]).toEqual([1000, 30_000]);
  let state = connecting;
  const delays: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    const failed = run([dropped()], state);
    delays.push(...timers(failed.effects));
    state = run([{ kind: 'timer', now: T0, random: TOP }], failed.state).state;
  }
  expect(delays.map((ms) => Math.ceil(ms / 1000))).toEqual([1, 2, 4, 8, 16, 30, 30]);
  expect(Math.max(...delays)).toBeLessThan(30_000);
  expect(Math.max(...delays)).toBeGreaterThanOrEqual(29_999);
  expect(timers(run([dropped(1006, T0, 0)], connecting).effects)).toEqual([0]);
});

test('a connection healthy for 60 s resets the attempts; 1 ms less does not', () => {
  expect(BACKOFF_TIMING.healthyConnectionMs).toBe(60_000);
  const struggling: WsState = { phase: 'open', attempt: 4, openedAt: T0, pinged: false };
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

test.each([1000, 1001, 1006, 1009, 1011, 4408, 4429])('close %d is transient: a NetworkError and the normal backoff', (code) => {
  const [status] = statuses(run([dropped(code)], open).effects);
  expect((status as unknown as { error: NetworkError }).error).toBeInstanceOf(NetworkError);
  expect((status as { retryInMs: number }).retryInMs).toBeLessThan(1000);
});

test('a URL the browser refuses (the constructor threw): the long retry with a ProtocolError', () => {
  const { state, effects } = run([{ kind: 'unopenable', cause: new SyntaxError('bad url'), random: TOP }], connecting);
  expect(effects).toEqual([{ kind: 'emit-status', status: { status: 'backoff', attempt: 0, retryInMs: 300_000, error: expect.any(ProtocolError) } }, { kind: 'set-timer', ms: 300_000 }]);
  expect(state).toEqual({ phase: 'waiting', attempt: 1 });
});

test('4401 or an unauthorized frame closes for good; nothing after does anything', () => {
  for (const input of [dropped(4401), { kind: 'message', data: '{"type":"error","code":"unauthorized"}', now: T0 } as WsInput]) {
    const { state, effects } = run([input], open);
    expect(state).toEqual({ phase: 'closed' });
    expect(statuses(effects)).toEqual([{ status: 'closed', reason: 'unauthorized' }]);
    expect(effects.slice(0, 2)).toEqual([{ kind: 'clear-timer' }, { kind: 'discard-socket' }]);
    expect(run([{ kind: 'nudge' }, { kind: 'timer', now: T0, random: TOP }, { kind: 'stop' }, { kind: 'start' }], state).effects).toEqual([]);
  }
  // Any other error frame is logged and the socket kept.
  expect(run([{ kind: 'message', data: '{"type":"error","code":"busy"}', now: T0 }], open).effects).toContainEqual({ kind: 'drop', dropped: { kind: 'relay_error:busy' } });
});

test('nudge reconnects at once from waiting or open (attempt 0), not while connecting', () => {
  const waiting: WsState = { phase: 'waiting', attempt: 5 };
  expect(run([{ kind: 'nudge' }], waiting).effects.slice(0, 1)).toEqual([{ kind: 'emit-status', status: { status: 'connecting', attempt: 0 } }]);
  expect(run([{ kind: 'nudge' }], open).effects[0]).toEqual({ kind: 'discard-socket' });
  expect(run([{ kind: 'nudge' }], connecting).effects).toEqual([]);
});

test('stop: clears the timer, drops the socket, says closed stopped', () => {
  expect(run([{ kind: 'stop' }], open).effects).toEqual([{ kind: 'clear-timer' }, { kind: 'discard-socket' }, { kind: 'emit-status', status: { status: 'closed', reason: 'stopped' } }]);
  expect(run([{ kind: 'stop' }], { phase: 'waiting', attempt: 1 }).effects.map((e) => e.kind)).toEqual(['clear-timer', 'emit-status']);
});
