/**
 * State per call leg (`call_id` + extension) as the PBX and widgets see it: ring groups, the
 * `answered_elsewhere` end and how version 1 is spared it, expiry of legs whose end never came,
 * the full store's 503 that never evicts a live leg, and absurd `at` values.
 */
import { brief, calls, event, relay, stopAll, subscribeV2, TOKEN } from './harness';

afterEach(stopAll);

describe('ring groups: one leg per extension, each with its own states and end', () => {
  test('v2 widgets see their own leg; the colleague who did not answer gets answered_elsewhere', async () => {
    const t = await relay();
    const alice = await t.client(subscribeV2(['101']));
    const bob = await t.client(subscribeV2(['102']));
    await alice.frame('snapshot');
    await bob.frame('snapshot');
    expect((await t.postJson([event('g1', 'ringing', '101'), event('g1', 'ringing', '102')])).body).toEqual({ accepted: 2, changed: 2 });
    await t.post([event('g1', 'answered', '102'), event('g1', 'ended', '101', { result: 'answered_elsewhere' })]);
    await alice.frame('call', 2);
    await bob.frame('call', 2);
    expect(brief(alice.frames.filter((f) => f.type === 'call').map((f) => f.call))).toEqual(['g1:101:ringing', 'g1:101:ended:answered_elsewhere']);
    expect(brief(bob.frames.filter((f) => f.type === 'call').map((f) => f.call))).toEqual(['g1:102:ringing', 'g1:102:answered']);
    expect(t.r.relay.activeCalls().map((c) => `${c.callId}:${c.extension}:${c.state}`)).toEqual(['g1:102:answered']);
  });

  test('a v1 widget never sees answered_elsewhere: the leg vanishes (a fresh snapshot without it)', async () => {
    const t = await relay();
    const v1 = await t.client({ type: 'subscribe', token: TOKEN, extensions: ['101'] });
    await v1.frame('snapshot');
    await t.post([event('g1', 'ringing', '101'), event('g1', 'ringing', '102'), event('k', 'ringing', '101')]);
    await v1.frame('call', 2);
    await t.post([event('g1', 'answered', '102'), event('g1', 'ended', '101', { result: 'answered_elsewhere' })]);
    expect(await v1.frame('snapshot', 2)).toEqual({ type: 'snapshot', calls: [expect.objectContaining({ call_id: 'k' })] });
    expect(v1.frames.filter((f) => f.type === 'call')).toHaveLength(2);
    // Polling v1: absent from the answer (vanished); v2: the end itself, for 60 s.
    expect(brief((await t.poll('extensions=101')).calls)).toEqual(['k:101:ringing']);
    expect(brief((await t.poll('extensions=101&v=2')).calls)).toEqual(['k:101:ringing', 'g1:101:ended:answered_elsewhere']);
  });

  test('a v1 widget on both extensions sees one call per call_id: the most advanced leg', async () => {
    const t = await relay();
    await t.post([event('g1', 'ringing', '101'), event('g1', 'ringing', '102'), event('g1', 'answered', '102')]);
    expect(brief((await t.poll('extensions=101,102')).calls)).toEqual(['g1:102:answered']);
    expect(brief((await t.poll('extensions=101,102&v=2')).calls)).toEqual(['g1:101:ringing', 'g1:102:answered']);
  });

  test('states only move forward per leg: repeats and late states of one leg change nothing', async () => {
    const t = await relay();
    expect((await t.postJson([event('c', 'ringing'), event('c', 'answered'), event('c', 'ringing'), event('c', 'answered')])).body).toEqual({ accepted: 4, changed: 2 });
    expect((await t.postJson([event('c', 'ringing', '102')])).body).toEqual({ accepted: 1, changed: 1 });
  });
});

describe('expiry: a leg whose end never comes is ended by the relay, marked expired', () => {
  test('ringing after 10 min and answered after 4 h: v2 widgets and the history get the end', async () => {
    const t = await relay();
    const c = await t.client(subscribeV2(['101']));
    const { epoch } = await c.frame('snapshot');
    await t.post([event('r', 'ringing'), event('a', 'ringing'), event('a', 'answered')]);
    t.clock.ms += 10 * 60_000 - 1;
    expect(brief((await t.poll('extensions=101&v=2')).calls)).toEqual(['r:101:ringing', 'a:101:answered']);
    t.clock.ms += 1;
    await t.poll('extensions=101&v=2'); // any request runs expiry first (a timer does it without traffic)
    expect(await c.frame('call', 4)).toMatchObject({ offset: 4, call: { call_id: 'r', state: 'ended', result: 'missed', expired: true, at: t.clock.ms / 1000 } });
    const recovered = await (await t.client(subscribeV2(['101'], { epoch, offset: 3 }))).frame('snapshot');
    expect(brief(calls(recovered.events))).toEqual(['r:101:ended:missed:expired']);
    t.clock.ms += 4 * 60 * 60_000;
    await t.poll('extensions=101');
    expect(await c.frame('call', 5)).toMatchObject({ offset: 5, call: { call_id: 'a', state: 'ended', result: 'answered', expired: true } });
    expect(c.frames.at(-1)?.call).not.toHaveProperty('duration');
    expect(t.r.relay.activeCalls()).toEqual([]);
    // 4 h on, the history (10 min) no longer covers offset 3.
    expect(await (await t.client(subscribeV2(['101'], { epoch, offset: 3 }))).frame('snapshot')).toMatchObject({ recovered: false });
  });

  test('v1 widgets see an expired leg vanish, not end', async () => {
    const t = await relay({ ringingMaxAgeMs: 1_000 });
    const v1 = await t.client();
    await v1.frame('snapshot');
    await t.post([event('r', 'ringing')]);
    await v1.frame('call');
    t.clock.ms += 1_000;
    await t.poll('extensions=101');
    expect(await v1.frame('snapshot', 2)).toEqual({ type: 'snapshot', calls: [] });
    expect(v1.frames.filter((f) => f.type === 'call')).toHaveLength(1);
  });

  test('a late repeat of an ended leg is ignored for 10 min (no ringing zombie), then is a new leg', async () => {
    const t = await relay();
    await t.post([event('c', 'ringing'), event('c', 'ended')]);
    t.clock.ms += 9 * 60_000;
    expect((await t.postJson([event('c', 'ringing')])).body).toEqual({ accepted: 1, changed: 0 });
    t.clock.ms += 60_000;
    expect((await t.postJson([event('c', 'ringing')])).body).toEqual({ accepted: 1, changed: 1 });
  });
});

describe('a full store (max legs)', () => {
  test('refuses NEW calls with 503 full and a log line; live legs are never evicted; updates still go through', async () => {
    const lines: string[] = [];
    const t = await relay({ maxCalls: 3, log: (message) => lines.push(message) });
    await t.post([event('a', 'ringing'), event('b', 'ringing'), event('c', 'ringing')]);
    const res = await t.post([event('a', 'answered'), event('d', 'ringing')]);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({ error: 'full', reason: expect.stringMatching(/resend/), refused: [1], accepted: 1, changed: 1 });
    expect(lines).toContain('relay: full, new calls refused');
    expect(t.r.relay.activeCalls().map((c) => `${c.callId}:${c.state}`)).toEqual(['b:ringing', 'c:ringing', 'a:answered']);
    // An ended leg makes room: the oldest ended goes first, so the retried POST is stored.
    await t.post([event('b', 'ended')]);
    expect((await t.postJson([event('a', 'answered'), event('d', 'ringing')])).body).toEqual({ accepted: 2, changed: 1 });
    expect(brief((await t.poll('extensions=101&v=2')).calls)).toEqual(['c:101:ringing', 'a:101:answered', 'd:101:ringing']);
  });
});

describe('absurd `at` values are clamped to the receipt time, and said so', () => {
  test.each([
    ['1970', 1],
    ['a day and a bit ago', 1_700_000_000 - 25 * 3600],
    ['next year', 1_700_000_000 + 365 * 86400],
  ])('%s', async (_name, at) => {
    const lines: string[] = [];
    const t = await relay({ log: (message) => lines.push(message) });
    expect((await t.postJson([event('ok', 'ringing', '101', { at: 1_700_000_000 - 60 }), event('c', 'ringing', '101', { at })])).body).toEqual({ accepted: 2, changed: 2, clamped: [1] });
    const listed = (await t.poll('extensions=101')).calls as Array<{ call_id: string; at: number }>;
    expect(listed.map((c) => c.at)).toEqual([1_700_000_000 - 60, 1_700_000_000]);
    expect(lines.some((line) => line.includes('absurd `at`'))).toBe(true);
  });
});
