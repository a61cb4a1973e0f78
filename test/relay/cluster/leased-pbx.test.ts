/**
 * The PBX connection on a cluster (cluster/leased-pbx.ts), its rules against a cluster double
 * whose role the test hands out: connected only while this node holds the `pbx` role, kept
 * through a Redis outage, let go when another node holds it, opened anew at each take; a click
 * on a standby node goes to the holder, on the holder straight to its adapter.
 */
import type { ClusterLink, RoleChange } from '../../../relay/src/cluster-link';
import { leasedPbx, PBX_ROLE, readOriginateAsk } from '../../../relay/src/cluster/leased-pbx';
import type { OpenedPbx } from '../../../relay/src/cluster/leased-pbx';
import type { OriginateRequest } from '../../../relay/src/originate/pbx-adapter';
import type { PbxSink } from '../../../relay/src/pbx-source';

const REQUEST: OriginateRequest = { id: '3f1c2b9e-0000-4000-8000-000000000001', extension: '101', number: '+442071838750', userId: '7' };

function clusterDouble() {
  const listeners: Array<(holding: boolean, why: RoleChange) => void> = [];
  let handler: ((body: unknown) => Promise<unknown> | null) | null = null;
  const asked: unknown[] = [];
  let remote: ((body: unknown) => Promise<unknown>) | null = null;
  const link = {
    role: (name: string) => {
      expect(name).toBe(PBX_ROLE);
      return { holding: () => false, onChange: (l: (h: boolean, why: RoleChange) => void) => listeners.push(l), start: () => undefined, stop: async () => undefined };
    },
    answer: (role: string, h: (body: unknown) => Promise<unknown> | null) => {
      handler = h;
      return () => (handler = null);
    },
    ask: async (_role: string, body: unknown) => (asked.push(body), remote === null ? null : remote(body)),
  } as unknown as ClusterLink;
  return {
    link,
    change: (holding: boolean, why: RoleChange) => listeners.forEach((l) => l(holding, why)),
    serve: (body: unknown) => handler?.(body) ?? null,
    asked,
    setRemote: (fn: (body: unknown) => Promise<unknown>) => (remote = fn),
  };
}

function adapters() {
  const opened: Array<{ started: boolean; stopped: boolean; originated: OriginateRequest[] }> = [];
  const open = (): OpenedPbx => {
    const me = { started: false, stopped: false, originated: [] as OriginateRequest[] };
    opened.push(me);
    return {
      source: { start: () => void (me.started = true), stop: async () => void (me.stopped = true), status: () => ({ kind: 'asterisk', connected: true, state: 'connected' }), routes: { prefix: '/recordings/', handle: () => undefined } },
      originate: { originate: async (r) => (me.originated.push(r), { ok: true, callId: r.id }) },
    };
  };
  return { open, opened, live: () => opened.filter((a) => a.started && !a.stopped).length };
}

const sink: PbxSink = { publish: () => undefined };
const flush = () => new Promise((resolve) => setImmediate(resolve));

test('connects only while it holds the role; keeps the connection through unreachable; lets it go when another holds it; a new take opens anew', async () => {
  const c = clusterDouble();
  const a = adapters();
  const logs: string[] = [];
  const pbx = leasedPbx({ cluster: c.link, open: a.open, originates: true, log: (m) => logs.push(m) });
  expect(pbx.source.routes?.prefix).toBe('/recordings/'); // every node serves the recordings
  pbx.source.start(sink);
  expect(a.live()).toBe(0);
  expect(pbx.source.status()).toMatchObject({ connected: false, state: 'standby', role: 'standby' });
  c.change(true, 'taken');
  expect(a.live()).toBe(1);
  expect(pbx.source.status()).toMatchObject({ connected: true, role: 'holder' });
  c.change(false, 'unreachable');
  await flush();
  expect(a.live()).toBe(1);
  expect(logs.some((m) => m.includes('keeps the PBX connection'))).toBe(true);
  c.change(true, 'taken'); // Redis back, still ours: the same connection
  expect(a.opened.filter((x) => x.started)).toHaveLength(1);
  c.change(false, 'lost');
  await flush();
  expect(a.live()).toBe(0);
  c.change(true, 'taken');
  expect(a.live()).toBe(1);
  expect(a.opened.filter((x) => x.started)).toHaveLength(2);
  await pbx.source.stop();
  expect(a.live()).toBe(0);
  c.change(true, 'taken'); // after stop nothing connects
  expect(a.live()).toBe(0);
});

test('a click on the holder goes to its own adapter; on a standby node to the holder; nobody answering is unreachable', async () => {
  const c = clusterDouble();
  const a = adapters();
  const pbx = leasedPbx({ cluster: c.link, open: a.open, originates: true, log: () => undefined, askTimeoutMs: 50 });
  pbx.source.start(sink);
  await expect(pbx.originate?.originate(REQUEST)).resolves.toEqual({ ok: false, code: 'unreachable', reason: expect.stringContaining('within 50 ms') });
  expect(c.asked).toEqual([REQUEST]);
  c.setRemote(async () => ({ ok: false, code: 'busy', reason: 'Asterisk: busy' }));
  await expect(pbx.originate?.originate(REQUEST)).resolves.toEqual({ ok: false, code: 'busy', reason: 'Asterisk: busy' });
  c.change(true, 'taken');
  await expect(pbx.originate?.originate(REQUEST)).resolves.toEqual({ ok: true, callId: REQUEST.id });
  expect(c.asked).toHaveLength(2);
  // The holder serves another node's ask with its adapter; a standby one does not serve.
  await expect(c.serve(JSON.parse(JSON.stringify(REQUEST)))).resolves.toEqual({ ok: true, callId: REQUEST.id });
  expect(a.opened.flatMap((x) => x.originated)).toHaveLength(2);
  c.change(false, 'lost');
  await flush();
  expect(c.serve(REQUEST)).toBeNull();
});

test('an ask read back from Redis is checked before it reaches the PBX', () => {
  expect(readOriginateAsk(REQUEST)).toEqual(REQUEST);
  expect(readOriginateAsk({ ...REQUEST, userId: null })).toEqual({ ...REQUEST, userId: null });
  for (const bad of [null, 'x', { ...REQUEST, id: 'a b' }, { ...REQUEST, number: '123456789012345' }, { ...REQUEST, extension: '1 01' }, { ...REQUEST, extension: undefined }, { ...REQUEST, userId: 7 }]) {
    expect(readOriginateAsk(bad)).toBeNull();
  }
});

test('without AMI Originate there is no click-to-call adapter, and no answering', () => {
  const c = clusterDouble();
  const pbx = leasedPbx({ cluster: c.link, open: adapters().open, originates: false, log: () => undefined });
  pbx.source.start(sink);
  expect(pbx.originate).toBeNull();
  expect(c.serve(REQUEST)).toBeNull();
});
