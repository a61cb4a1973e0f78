/**
 * Protocol version 2 as a reconnecting widget sees it: a resubscribe with `since` gets exactly
 * the events it missed, in order, once; where the history cannot cover the gap the snapshot says
 * `recovered: false`; polling gets the same through `since=E:N`. Version 1 stays as it was.
 */
import { brief, calls, event, relay, stopAll, subscribeV2, TOKEN } from './harness';
import type { Frame } from './harness';

afterEach(stopAll);

const offsets = (list: unknown) => (list as Array<{ offset: number }>).map((item) => item.offset);

test('a v2 subscribe gets a v2 snapshot; live frames carry increasing offsets', async () => {
  const t = await relay();
  await t.post([event('a', 'ringing')]);
  const c = await t.client(subscribeV2());
  const snapshot = await c.frame('snapshot');
  expect(snapshot).toEqual({ type: 'snapshot', v: 2, epoch: expect.stringMatching(/^[0-9a-f]{16}$/), offset: 1, recovered: false, calls: [expect.objectContaining({ call_id: 'a' })], events: [] });
  await t.post([event('a', 'answered'), event('b', 'ringing', '102'), event('a', 'ended', '101', { duration: 3 })]);
  await c.frame('call', 2);
  expect(c.frames.filter((f) => f.type === 'call')).toEqual([
    { type: 'call', offset: 2, call: expect.objectContaining({ call_id: 'a', state: 'answered' }) },
    { type: 'call', offset: 4, call: expect.objectContaining({ call_id: 'a', state: 'ended' }) },
  ]);
});

test('a resubscribe with `since` gets what it missed, in order, exactly once, then live frames', async () => {
  const t = await relay();
  const first = await t.client(subscribeV2(['101']));
  const snapshot = await first.frame('snapshot');
  await t.post([event('a', 'ringing')]);
  const live = await first.frame('call');
  first.ws.terminate();
  await first.closed();

  // Away: a's answer and end, another call, and calls on an extension this widget does not follow.
  await t.post([event('a', 'answered'), event('x', 'ringing', '102'), event('b', 'ringing'), event('a', 'ended', '101', { duration: 7 })]);
  const again = await t.client(subscribeV2(['101'], { epoch: snapshot.epoch, offset: live.offset }));
  const recovered = await again.frame('snapshot');
  expect(recovered).toMatchObject({ recovered: true, epoch: snapshot.epoch, offset: 5 });
  expect(brief(calls(recovered.events))).toEqual(['a:101:answered', 'b:101:ringing', 'a:101:ended:answered']);
  expect(offsets(recovered.events)).toEqual([2, 4, 5]);
  expect(brief(recovered.calls)).toEqual(['b:101:ringing', 'a:101:ended:answered']);

  await t.post([event('b', 'answered'), event('b', 'answered')]);
  const next = await again.frame('call');
  expect(next).toMatchObject({ offset: 6, call: { call_id: 'b', state: 'answered' } });
  // Every offset this widget was given, across both sockets: each once, increasing.
  const seen = [live.offset as number, ...offsets(recovered.events), ...again.frames.filter((f) => f.type === 'call').map((f) => f.offset as number)];
  expect(seen).toEqual([1, 2, 4, 5, 6]);
});

test('a v2 pong carries the current offset, so a quiet widget can keep its position fresh', async () => {
  const t = await relay();
  const c = await t.client(subscribeV2(['101']));
  await c.frame('snapshot');
  await t.post([event('x', 'ringing', '102'), event('y', 'ringing', '103')]);
  c.send({ type: 'ping' });
  expect(await c.frame('pong')).toEqual({ type: 'pong', offset: 2 });
  const v1 = await t.client();
  await v1.frame('snapshot');
  v1.send({ type: 'ping' });
  expect(await v1.frame('pong')).toEqual({ type: 'pong' });
});

describe('where the history cannot cover the gap, the snapshot says so', () => {
  async function resubscribe(t: Awaited<ReturnType<typeof relay>>, since: unknown): Promise<Frame> {
    const c = await t.client({ ...subscribeV2(['101']), since });
    return c.frame('snapshot');
  }

  test('another epoch (a new store): recovered false, no events, a full snapshot', async () => {
    const t = await relay();
    await t.post([event('a', 'ringing')]);
    const snapshot = await resubscribe(t, { epoch: 'f00dfeedf00dfeed', offset: 0 });
    expect(snapshot).toMatchObject({ recovered: false, events: [], calls: [expect.objectContaining({ call_id: 'a' })] });
  });

  test('a position from the future: recovered false', async () => {
    const t = await relay();
    const { epoch } = await (await t.client(subscribeV2())).frame('snapshot');
    expect(await resubscribe(t, { epoch, offset: 99 })).toMatchObject({ recovered: false, events: [] });
  });

  test('history trimmed by the per-extension count: recovered false; another extension still recovers', async () => {
    const t = await relay({ historyMaxPerExtension: 3 });
    const { epoch } = await (await t.client(subscribeV2())).frame('snapshot');
    await t.post([event('a', 'ringing'), event('q', 'ringing', '102'), event('a', 'answered'), event('b', 'ringing'), event('c', 'ringing')]);
    // 101 kept offsets 3, 4, 5 and forgot 1: a widget at 0 missed something the relay no longer has.
    expect(await resubscribe(t, { epoch, offset: 0 })).toMatchObject({ recovered: false, events: [] });
    const at1 = await resubscribe(t, { epoch, offset: 1 });
    expect(at1).toMatchObject({ recovered: true });
    expect(offsets(at1.events)).toEqual([3, 4, 5]);
    const other = await t.client({ ...subscribeV2(['102']), since: { epoch, offset: 0 } });
    expect(brief(calls((await other.frame('snapshot')).events))).toEqual(['q:102:ringing']);
  });

  test('history older than its age limit is forgotten: recovered false', async () => {
    const t = await relay({ historyMaxAgeMs: 60_000 });
    const { epoch } = await (await t.client(subscribeV2())).frame('snapshot');
    await t.post([event('a', 'ringing')]);
    t.clock.ms += 30_000;
    expect(await resubscribe(t, { epoch, offset: 0 })).toMatchObject({ recovered: true });
    t.clock.ms += 30_000;
    const late = await resubscribe(t, { epoch, offset: 0 });
    expect(late).toMatchObject({ recovered: false, events: [], calls: [expect.objectContaining({ call_id: 'a' })] });
  });

  test('a malformed `since` or `v` is a bad subscribe (4400)', async () => {
    const t = await relay();
    for (const frame of [{ ...subscribeV2(), since: { epoch: 'a b', offset: 1 } }, { ...subscribeV2(), since: { epoch: 'e', offset: -1 } }, { ...subscribeV2(), v: 'two' }]) {
      const c = await t.client(frame);
      expect(await c.frame('error')).toMatchObject({ code: 'bad_request' });
      expect(await c.closed()).toBe(4400);
    }
  });
});

test('v2 snapshots list legs ended in the last 60 s; v1 snapshots list active calls only, as before', async () => {
  const t = await relay();
  await t.post([event('a', 'ringing'), event('a', 'ended', '101', { duration: 4 }), event('b', 'ringing')]);
  const v2 = await (await t.client(subscribeV2())).frame('snapshot');
  expect(brief(v2.calls)).toEqual(['a:101:ended:answered', 'b:101:ringing']);
  const v1 = await (await t.client()).frame('snapshot');
  expect(v1).toEqual({ type: 'snapshot', calls: [expect.objectContaining({ call_id: 'b' })] });
  t.clock.ms += 60_000;
  expect(brief((await (await t.client(subscribeV2())).frame('snapshot')).calls)).toEqual(['b:101:ringing']);
});

test('a v1 subscribe is answered exactly as before: no version fields, no offsets', async () => {
  const t = await relay();
  await t.post([event('a', 'ringing')]);
  const c = await t.client({ type: 'subscribe', token: TOKEN, extensions: ['101'] });
  expect(await c.frame('snapshot')).toEqual({ type: 'snapshot', calls: [{ call_id: 'a', state: 'ringing', direction: 'inbound', phone: '+14155550100', extension: '101', at: expect.any(Number) }] });
  await t.post([event('a', 'answered')]);
  expect(await c.frame('call')).toEqual({ type: 'call', call: expect.objectContaining({ call_id: 'a', state: 'answered' }) });
  expect(Object.keys(await c.frame('call'))).toEqual(['type', 'call']);
});

describe('polling with a cursor', () => {
  test('v=2 answers the stream header; since=E:N gets the missed events once; v1 is unchanged', async () => {
    const t = await relay();
    const first = await t.poll('extensions=101&v=2');
    expect(first).toEqual({ v: 2, epoch: expect.any(String), offset: 0, recovered: false, calls: [], events: [] });
    await t.post([event('a', 'ringing'), event('z', 'ringing', '102'), event('a', 'ended', '101', { duration: 0, result: 'busy' })]);
    const second = await t.poll(`extensions=101&v=2&since=${first.epoch}:${first.offset}`);
    expect(second).toMatchObject({ recovered: true, offset: 3 });
    expect(brief(calls(second.events))).toEqual(['a:101:ringing', 'a:101:ended:busy']);
    const third = await t.poll(`extensions=101&v=2&since=${second.epoch}:${second.offset}`);
    expect(third).toMatchObject({ recovered: true, events: [], calls: [expect.objectContaining({ call_id: 'a', state: 'ended' })] });
    expect(await t.poll('extensions=101')).toEqual({ calls: [expect.objectContaining({ call_id: 'a', state: 'ended' })] });
    expect(await t.poll(`extensions=101&v=2&since=nope:0`)).toMatchObject({ recovered: false, events: [] });
  });

  test('script mode speaks v2 too; a bad since or v is 400', async () => {
    const t = await relay();
    await t.post([event('a', 'ringing')]);
    const text = await (await fetch(`${t.r.url}/calls.js?extensions=101&v=2&token=${TOKEN}&callback=cb`)).text();
    expect(text).toMatch(/^cb\(\{"v":2,"epoch":"[0-9a-f]+","offset":1,"recovered":false,"calls":\[\{"call_id":"a"/);
    for (const query of ['v=2&since=nope', 'v=2&since=e:-1', 'v=x']) {
      const res = await fetch(`${t.r.url}/calls?extensions=101&${query}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'bad_request' });
    }
  });
});
