/**
 * The reference relay as PBX vendors and widgets see it: its HTTP routes and WebSocket on a real
 * loopback port, good and bad inputs.
 */
import { connect } from 'node:net';
import { WebSocket } from 'ws';
import { createRelay, startRelay } from '../../relay/src';
import type { RunningRelay } from '../../relay/src';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const TOKEN = 'widget-token';
const PBX = 'pbx-token';

function event(callId: string, state: string, extension = '101', extra: Record<string, unknown> = {}) {
  return { call_id: callId, state, direction: 'inbound', phone: '+14155550100', extension, ...extra };
}

let clockMs = 1_700_000_000_000;
let r: RunningRelay;
const extra: Array<() => unknown> = [];

beforeEach(async () => {
  clockMs = 1_700_000_000_000;
  r = await startRelay({ token: TOKEN, pbxToken: PBX, port: 0, now: () => clockMs, maxSubscribers: 3, maxBodyBytes: 4096, maxFrameBytes: 1024, subscribeTimeoutMs: 200 });
});
afterEach(async () => {
  for (const c of extra.splice(0)) await c();
  await r.close();
});

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${r.url}/pbx/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function poll(extensions: string, headers: Record<string, string> = {}) {
  return fetch(`${r.url}/calls?extensions=${extensions}`, { headers: { Authorization: `Bearer ${TOKEN}`, ...headers } });
}

/** A widget-side socket that records frames; `next(type)` waits for the next frame of a type. */
async function client(subscribe: unknown = { type: 'subscribe', token: TOKEN, extensions: ['101'] }) {
  const ws = new WebSocket(r.wsUrl);
  extra.push(() => ws.terminate());
  const frames: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let closeCode: number | null = null;
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)));
    for (const w of waiters.splice(0)) w();
  });
  ws.on('close', (code) => {
    closeCode = code;
    for (const w of waiters.splice(0)) w();
  });
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  if (subscribe !== null) ws.send(typeof subscribe === 'string' ? subscribe : JSON.stringify(subscribe));
  const until = async (ok: () => boolean) => {
    while (!ok()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return {
    ws,
    frames,
    send: (frame: unknown) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    frame: async (type: string, nth = 1) => {
      await until(() => frames.filter((f) => f.type === type).length >= nth || closeCode !== null);
      return frames.filter((f) => f.type === type)[nth - 1];
    },
    closed: async () => {
      await until(() => closeCode !== null);
      return closeCode;
    },
  };
}

describe('POST /pbx/events', () => {
  test('accepts one event or an array; answers how many changed state', async () => {
    const one = await post(event('a', 'ringing'));
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({ accepted: 1, changed: 1 });
    const many = await post([event('a', 'answered'), event('a', 'ringing'), event('b', 'ringing', '102')]);
    expect(await many.json()).toEqual({ accepted: 3, changed: 2 });
    expect(r.relay.activeCalls().map((c) => `${c.callId}:${c.state}`)).toEqual(['a:answered', 'b:ringing']);
  });

  test.each([
    ['no token', 401, 'unauthorized', event('a', 'ringing'), { Authorization: '' }],
    ['the widget token instead of the PBX token', 401, 'unauthorized', event('a', 'ringing'), { Authorization: `Bearer ${TOKEN}` }],
    ['a form body', 415, 'unsupported_media_type', 'a=1', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['not JSON', 400, 'bad_json', '{"call_id":', {}],
    ['an empty list', 400, 'invalid_event', [], {}],
    ['an invalid event', 400, 'invalid_event', [event('a', 'ringing'), event('b', 'on-hold')], {}],
    ['a body over the limit', 413, 'too_large', [event('a', 'ringing', '101', { pad: 'x'.repeat(5000) })], {}],
  ])('%s: %d %s, nothing applied', async (_name, status, error, body, headers) => {
    const res = await post(body, headers as Record<string, string>);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: string; reason: string };
    expect(json.error).toBe(error);
    expect(typeof json.reason).toBe('string');
    expect(r.relay.activeCalls()).toEqual([]);
  });

  test('an invalid event names the field and its index', async () => {
    const res = await post([event('a', 'ringing'), { ...event('b', 'ringing'), extension: 102 }]);
    expect(await res.json()).toMatchObject({ error: 'invalid_event', field: 'extension', index: 1 });
  });

  test('GET on the PBX endpoint is 405; unknown paths are 404 JSON', async () => {
    expect((await fetch(`${r.url}/pbx/events`)).status).toBe(405);
    const missing = await fetch(`${r.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('GET /calls (JSON polling)', () => {
  test('per-extension answers with ETag, 304 when unchanged, CORS for the Kommo page', async () => {
    await post([event('a', 'ringing', '101'), event('b', 'ringing', '102'), event('c', 'ringing', '103')]);
    const res = await poll('101,102', { Origin: 'https://acme.kommo.com' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://acme.kommo.com');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/ETag/);
    const body = (await res.json()) as { calls: Array<{ call_id: string }> };
    expect(body.calls.map((c) => c.call_id)).toEqual(['a', 'b']);
    const etag = res.headers.get('etag') as string;
    expect(etag).toMatch(/^".+"$/);

    expect((await poll('101,102', { 'If-None-Match': etag })).status).toBe(304);
    await post(event('c', 'answered', '103')); // another extension: still unchanged for us
    expect((await poll('101,102', { 'If-None-Match': etag })).status).toBe(304);
    await post(event('a', 'answered'));
    const changed = await poll('101,102', { 'If-None-Match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  test('ended calls stay in the answer for 60 s, then leave', async () => {
    await post([event('a', 'ringing'), event('a', 'ended', '101', { duration: 5 })]);
    clockMs += 59_000;
    expect(((await (await poll('101')).json()) as { calls: unknown[] }).calls).toEqual([expect.objectContaining({ call_id: 'a', state: 'ended', duration: 5, result: 'answered' })]);
    clockMs += 1_000;
    expect(await (await poll('101')).json()).toEqual({ calls: [] });
  });

  test('preflight, wrong token and bad extensions', async () => {
    const preflight = await fetch(`${r.url}/calls?extensions=101`, { method: 'OPTIONS', headers: { Origin: 'https://acme.kommo.com' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/If-None-Match/);
    const wrong = await fetch(`${r.url}/calls?extensions=101`, { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('access-control-allow-origin')).toBeTruthy();
    expect(await wrong.json()).toMatchObject({ error: 'unauthorized' });
    expect((await poll('')).status).toBe(400);
    expect((await poll(Array.from({ length: 51 }, (_, i) => String(i)).join(','))).status).toBe(400);
    expect((await poll('x'.repeat(65))).status).toBe(400);
  });
});

describe('GET /calls.js (script polling)', () => {
  const script = (query: string) => fetch(`${r.url}/calls.js?${query}`);

  test('answers NAME({...}); as JavaScript', async () => {
    await post(event('a', 'ringing'));
    const res = await script(`extensions=101&token=${TOKEN}&callback=feed_1$x`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/javascript/);
    const text = await res.text();
    expect(text).toMatch(/^feed_1\$x\(\{"calls":\[\{"call_id":"a"/);
    expect(text.endsWith(');')).toBe(true);
  });

  test('a wrong token is answered inside the payload (a script tag cannot read status codes)', async () => {
    expect(await (await script('extensions=101&token=nope&callback=cb')).text()).toBe('cb({"error":"unauthorized"});');
  });

  test.each(['alert(1)', 'a.b', 'if', '1abc', '', 'x'.repeat(65), 'cb;evil()'])('callback %p is refused with 400', async (name) => {
    const res = await script(`extensions=101&token=${TOKEN}&callback=${encodeURIComponent(name)}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'bad_request' });
  });
});

describe('WebSocket /ws', () => {
  test('subscribe gets a snapshot of active calls on its extensions, then only its calls', async () => {
    await post([event('a', 'ringing', '101'), event('b', 'ringing', '102'), event('old', 'ringing', '101'), event('old', 'ended', '101')]);
    const c101 = await client();
    const c102 = await client({ type: 'subscribe', token: TOKEN, extensions: ['102'] });
    expect(await c101.frame('snapshot')).toEqual({ type: 'snapshot', calls: [expect.objectContaining({ call_id: 'a', state: 'ringing' })] });
    await c102.frame('snapshot');
    await post([event('a', 'answered', '101'), event('a', 'ringing', '101'), event('z', 'ringing', '102')]);
    expect(await c101.frame('call')).toEqual({ type: 'call', call: expect.objectContaining({ call_id: 'a', state: 'answered' }) });
    expect(await c102.frame('call')).toEqual({ type: 'call', call: expect.objectContaining({ call_id: 'z' }) });
    c101.send({ type: 'ping' });
    await c101.frame('pong');
    expect(c101.frames.filter((f) => f.type === 'call')).toHaveLength(1);
    // A second subscribe on the same socket replaces the extensions and answers a new snapshot.
    c101.send({ type: 'subscribe', token: TOKEN, extensions: ['102'] });
    expect(await c101.frame('snapshot', 2)).toEqual({ type: 'snapshot', calls: [expect.objectContaining({ call_id: 'b' }), expect.objectContaining({ call_id: 'z' })] });
  });

  test('a wrong token: an unauthorized error frame and close code 4401', async () => {
    const c = await client({ type: 'subscribe', token: 'nope', extensions: ['101'] });
    expect(await c.frame('error')).toEqual({ type: 'error', code: 'unauthorized' });
    expect(await c.closed()).toBe(4401);
  });

  test('a bad subscribe (no extensions, too many, wrong types) gets bad_request and 4400', async () => {
    for (const extensions of [[], 'abc', [101], Array.from({ length: 51 }, (_, i) => String(i))]) {
      const c = await client({ type: 'subscribe', token: TOKEN, extensions });
      expect(await c.frame('error')).toMatchObject({ code: 'bad_request' });
      expect(await c.closed()).toBe(4400);
    }
  });

  test('bad frames get an error frame and the socket stays; unknown types are ignored', async () => {
    const c = await client();
    await c.frame('snapshot');
    c.send('not json');
    expect(await c.frame('error')).toMatchObject({ code: 'bad_frame' });
    c.send('[1]');
    c.send({ type: 'dance' });
    c.send({ type: 'ping' });
    await c.frame('pong');
    expect(c.frames.filter((f) => f.type === 'error')).toHaveLength(2);
  });

  test('a frame over the limit closes that socket with 1009; the relay keeps serving', async () => {
    const c = await client();
    await c.frame('snapshot');
    c.send({ type: 'ping', pad: 'x'.repeat(2048) });
    expect(await c.closed()).toBe(1009);
    const d = await client();
    expect(await d.frame('snapshot')).toEqual({ type: 'snapshot', calls: [] });
  });

  test('a socket that never subscribes is closed (4408)', async () => {
    const c = await client(null);
    expect(await c.closed()).toBe(4408);
  });

  test('a connected socket counts as subscribed only once its snapshot is sent', async () => {
    const c = await client(null);
    expect([r.relay.subscriberCount(), r.relay.subscribedCount()]).toEqual([1, 0]);
    c.send({ type: 'subscribe', token: TOKEN, extensions: ['101'] });
    await c.frame('snapshot');
    expect([r.relay.subscriberCount(), r.relay.subscribedCount()]).toEqual([1, 1]);
  });

  test('subscribers are capped: the next socket is told `overloaded` with retry_after and closed 4503', async () => {
    for (let i = 0; i < 3; i += 1) await (await client()).frame('snapshot');
    expect(r.connections()).toBe(3);
    const refused = await client(null);
    expect(await refused.frame('error')).toEqual({ type: 'error', code: 'overloaded', retry_after: 10 });
    expect(await refused.closed()).toBe(4503);
    expect(r.connections()).toBe(3);
  });

  test('garbage on the wire never crashes the relay', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(r.port, '127.0.0.1', () => socket.end('GARBAGE / NOT-HTTP\r\n\r\n'));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      socket.resume();
    });
    const res = await post(event('a', 'ringing'));
    expect(res.status).toBe(200);
  });
});

test('createRelay mounts into another server under a base path and leaves other routes alone', async () => {
  const relay = createRelay({ token: TOKEN, pbxToken: PBX, basePath: '/relay' });
  const server = createServer((req, res) => {
    if (relay.handleRequest(req, res)) return;
    res.writeHead(200);
    res.end('host page');
  });
  server.on('upgrade', (req, socket, head) => {
    if (!relay.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  extra.push(() => new Promise((resolve) => { relay.close(); server.closeAllConnections(); server.close(resolve); }));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  expect(await (await fetch(`${base}/calls`)).text()).toBe('host page');
  expect((await fetch(`${base}/relay/calls?extensions=101`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  const ws = new WebSocket(`${base.replace('http', 'ws')}/relay/ws`);
  extra.push(() => ws.terminate());
  const snapshot = await new Promise<unknown>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', token: TOKEN, extensions: ['101'] })));
    ws.on('message', (data) => resolve(JSON.parse(String(data))));
    ws.on('error', reject);
  });
  expect(snapshot).toEqual({ type: 'snapshot', calls: [] });
});
