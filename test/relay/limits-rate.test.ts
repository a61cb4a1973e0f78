/**
 * A socket's frame rate (a token bucket on the relay's clock, which the test holds still or
 * moves) and its lifetime. One token holder used to stall the relay's event loop for 1.9 s with
 * 3000 subscribe frames; now a socket gets 40 frames at once and 20 a second, a subscribe counts
 * 10, and over that it is told `rate_limited` and closed 4420.
 */
import { startRelay } from '../../relay/src';
import { waitUntil } from '../support/wait';
import { event, PBX, relay, stopAll, TOKEN } from './harness';

afterEach(stopAll);

const subscribe = (extensions = ['101']) => ({ type: 'subscribe', v: 2, token: TOKEN, extensions });
const count = (frames: Array<{ type: string }>, type: string) => frames.filter((f) => f.type === type).length;

test('40 frames at once, then 20 a second: one more is refused with rate_limited and close 4420', async () => {
  const t = await relay();
  const ws = await t.client(subscribe()); // a subscribe: 10 of the 40
  await ws.frame('snapshot');
  for (let i = 0; i < 30; i += 1) ws.send({ type: 'ping' });
  await ws.frame('pong', 30);
  // Half a second on the relay's clock brings 10 more.
  t.clock.ms += 500;
  for (let i = 0; i < 10; i += 1) ws.send({ type: 'ping' });
  await ws.frame('pong', 40);
  ws.send({ type: 'ping' });
  expect(await ws.frame('error')).toEqual({ type: 'error', code: 'rate_limited', reason: 'more than 20 frames a second' });
  expect(await ws.closed()).toBe(4420);
  expect(count(ws.frames, 'pong')).toBe(40);
  expect(t.logs.filter((line) => line.startsWith('relay: a socket sent frames too fast'))).toEqual(['relay: a socket sent frames too fast and was closed (4420) {"address":"127.0.0.1"}']);
});

test('a subscribe counts 10 frames: four in a row are answered, the fifth is refused', async () => {
  const t = await relay();
  const ws = await t.client(null);
  for (let i = 1; i <= 4; i += 1) {
    ws.send(subscribe());
    await ws.frame('snapshot', i);
  }
  ws.send(subscribe());
  expect((await ws.frame('error')).code).toBe('rate_limited');
  expect(await ws.closed()).toBe(4420);
  expect(count(ws.frames, 'snapshot')).toBe(4);
});

test('3000 subscribe frames from one token holder: at most four snapshots are made, the socket is closed 4420, another widget is served meanwhile', async () => {
  const t = await relay();
  // Snapshots that cost something: 2000 ringing legs on the 50 extensions asked for.
  const extensions = Array.from({ length: 50 }, (_, i) => String(100 + i));
  for (let batch = 0; batch < 4; batch += 1) {
    const events = Array.from({ length: 500 }, (_, i) => event(`c${batch}-${i}`, 'ringing', extensions[i % 50]));
    expect((await t.post(events)).status).toBe(200);
  }
  const widget = await t.client(subscribe());
  await widget.frame('snapshot');
  const flooder = await t.client(null);
  const frame = JSON.stringify(subscribe(extensions));
  for (let i = 0; i < 3000; i += 1) flooder.ws.send(frame);
  expect(await flooder.closed()).toBe(4420);
  expect(count(flooder.frames, 'snapshot')).toBeLessThanOrEqual(4);
  widget.send({ type: 'ping' });
  expect(await widget.frame('pong')).toMatchObject({ type: 'pong' });
});

test('a subscribe cost above the burst could never pass: the relay refuses to start', async () => {
  await expect(startRelay({ token: TOKEN, pbxToken: PBX, port: 0, subscribeCost: 41 })).rejects.toThrow('subscribeCost (41) exceeds frameBurst (40): no subscribe could pass');
});

test('an authenticated socket lives maxSocketLifetimeMs, then is closed 4410 (lifetime) and the widget reconnects', async () => {
  const t = await relay({ maxSocketLifetimeMs: 300 });
  const opened = Date.now();
  const ws = await t.client(subscribe());
  await ws.frame('snapshot');
  const pinger = setInterval(() => ws.ws.readyState === ws.ws.OPEN && ws.send({ type: 'ping' }), 100);
  try {
    expect(await ws.closed()).toBe(4410);
  } finally {
    clearInterval(pinger);
  }
  expect(Date.now() - opened).toBeGreaterThanOrEqual(300);
  const again = await t.client(subscribe());
  expect((await again.frame('snapshot')).type).toBe('snapshot');
  await waitUntil('its lifetime ends too', () => again.closeCode() === 4410);
});
