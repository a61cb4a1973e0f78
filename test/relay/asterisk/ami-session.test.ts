/** The AMI connection's decisions (relay/src/asterisk/ami-session.ts), without a clock or a socket. */
import { backoffMs, initialSession, stepSession } from '../../../relay/src/asterisk/ami-session';
import type { SessionEffect, SessionInput, SessionState } from '../../../relay/src/asterisk/ami-session';

const config = { firstMs: 500, maxMs: 30_000, random: () => 0.5 };

function run(inputs: SessionInput[], from: SessionState = initialSession) {
  let state = from;
  const effects: SessionEffect[][] = [];
  for (const input of inputs) {
    const step = stepSession(state, input, 1000, config);
    state = step.state;
    effects.push(step.effects);
  }
  return { state, effects };
}
const types = (effects: SessionEffect[]) => effects.map((e) => e.type);

describe('the AMI session', () => {
  it('start -> connect; login_ok -> connected, keepalive, ready, logged', () => {
    const { state, effects } = run([{ type: 'start' }, { type: 'login_ok' }]);
    expect(state.phase).toBe('connected');
    expect(effects[0]).toEqual([{ type: 'status', status: { state: 'connecting', since: 1000, attempt: 1 } }, { type: 'connect' }]);
    expect(types(effects[1]!)).toEqual(['status', 'start_keepalive', 'log', 'ready']);
  });

  it('a drop rejects pending actions and waits a jittered, doubling backoff capped at maxMs', () => {
    expect([1, 2, 3, 6, 7, 8, 20].map((f) => backoffMs(f, { ...config, random: () => 0 }))).toEqual([250, 500, 1000, 8000, 15000, 15000, 15000]);
    expect([1, 7, 20].map((f) => backoffMs(f, { ...config, random: () => 0.999999 }))).toEqual([500, 30000, 30000]);
    const { state, effects } = run([{ type: 'start' }, { type: 'login_ok' }, { type: 'dropped', reason: 'ECONNRESET' }]);
    expect(state).toMatchObject({ phase: 'waiting', failures: 1 });
    expect(types(effects[2]!)).toEqual(['stop_keepalive', 'close', 'reject_pending', 'schedule_retry', 'status', 'log']);
    expect(effects[2]).toContainEqual({ type: 'status', status: { state: 'disconnected', since: 1000, reason: 'ECONNRESET', retryInMs: 375 } });
  });

  it('failures grow the backoff until a good login resets it', () => {
    const failing: SessionInput[] = [{ type: 'dropped', reason: 'ECONNREFUSED' }, { type: 'retry_due' }];
    const { state, effects } = run([{ type: 'start' }, ...failing, ...failing, ...failing]);
    expect(state).toMatchObject({ phase: 'connecting', failures: 3 });
    const retries = effects.flat().filter((e) => e.type === 'schedule_retry').map((e) => (e as { ms: number }).ms);
    expect(retries).toEqual([375, 750, 1500]);
    // The same reason is logged once, not once per attempt.
    expect(effects.flat().filter((e) => e.type === 'log')).toHaveLength(1);
    const after = run([{ type: 'login_ok' }, { type: 'dropped', reason: 'ECONNRESET' }], state);
    expect(after.state.failures).toBe(1);
    expect(after.effects[1]).toContainEqual({ type: 'schedule_retry', ms: 375 });
  });

  it('a refused login: login_refused retried at maxMs, logged once per reason', () => {
    const refused: SessionInput[] = [{ type: 'login_refused', reason: 'Authentication failed' }, { type: 'retry_due' }];
    const { state, effects } = run([{ type: 'start' }, ...refused, ...refused]);
    expect(state.phase).toBe('connecting');
    expect(effects[1]).toContainEqual({ type: 'status', status: { state: 'login_refused', since: 1000, reason: 'Authentication failed', retryInMs: 30_000 } });
    expect(effects[3]).toContainEqual({ type: 'schedule_retry', ms: 30_000 });
    expect(effects.flat().filter((e) => e.type === 'log')).toHaveLength(1);
  });

  it('stop from any phase undoes everything, and nothing moves a stopped session', () => {
    for (const before of [[], [{ type: 'start' }], [{ type: 'start' }, { type: 'login_ok' }], [{ type: 'start' }, { type: 'dropped', reason: 'x' }]] as SessionInput[][]) {
      const { state, effects } = run([...before, { type: 'stop' }]);
      expect(state.phase).toBe('stopped');
      expect(types(effects[effects.length - 1]!)).toEqual(['cancel_retry', 'stop_keepalive', 'close', 'reject_pending', 'status']);
      for (const input of [{ type: 'start' }, { type: 'retry_due' }, { type: 'login_ok' }, { type: 'dropped', reason: 'x' }, { type: 'stop' }] as SessionInput[]) {
        expect(stepSession(state, input, 2000, config)).toEqual({ state, effects: [] });
      }
    }
  });

  it('ignores inputs that do not fit the phase (a late drop while waiting, a second start)', () => {
    const waiting = run([{ type: 'start' }, { type: 'dropped', reason: 'x' }]).state;
    expect(stepSession(waiting, { type: 'dropped', reason: 'y' }, 1, config).effects).toEqual([]);
    expect(stepSession(waiting, { type: 'login_ok' }, 1, config).effects).toEqual([]);
    const connected = run([{ type: 'start' }, { type: 'login_ok' }]).state;
    expect(stepSession(connected, { type: 'start' }, 1, config).effects).toEqual([]);
    expect(stepSession(connected, { type: 'retry_due' }, 1, config).effects).toEqual([]);
  });
});
