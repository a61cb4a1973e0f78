/**
 * Slow clients at the HTTP level: a connection that says nothing, headers or a body dribbled a
 * byte at a time, a keep-alive connection left idle. Each is cut after its timeout (408 where an
 * answer can still be written) while the relay keeps serving the PBX and the widgets. Raw TCP
 * sockets on loopback; the timeouts are shortened for the test.
 */
import { waitUntil } from '../support/wait';
import { closeGuardSockets, dribble, rawConnection } from './guard-support';
import { event, PBX, relay, stopAll } from './harness';
import type { TestRelay } from './harness';

afterEach(async () => {
  closeGuardSockets();
  await stopAll();
});

const HEADERS_MS = 300;
const REQUEST_MS = 600;
const KEEP_ALIVE_MS = 400;
/** Node checks the timeouts every quarter of the shortest (server.ts); scheduling on a busy machine adds some. */
const SLACK_MS = 2_000;

const shortTimeouts = () => relay({ headersTimeoutMs: HEADERS_MS, requestTimeoutMs: REQUEST_MS, keepAliveTimeoutMs: KEEP_ALIVE_MS });

async function stillServes(t: TestRelay): Promise<void> {
  expect((await fetch(`${t.r.url}/health`)).status).toBe(200);
  expect((await t.post(event(`c-${Date.now()}`, 'ringing'))).status).toBe(200);
}

async function cutAfter(raw: Awaited<ReturnType<typeof rawConnection>>, startedAt: number, timeoutMs: number): Promise<void> {
  await waitUntil('the relay cuts the connection', () => raw.closedAt !== null, { timeoutMs: timeoutMs + SLACK_MS });
  expect(raw.closedAt! - startedAt).toBeGreaterThanOrEqual(timeoutMs - 5);
}

test('a connection that sends nothing is cut with 408 after the headers timeout; the relay serves others meanwhile', async () => {
  const t = await shortTimeouts();
  const startedAt = Date.now();
  const silent = await rawConnection(t.r.port);
  await stillServes(t);
  await cutAfter(silent, startedAt, HEADERS_MS);
  expect(silent.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
});

test('headers dribbled a byte at a time are cut with 408 after the headers timeout, before they are complete', async () => {
  const t = await shortTimeouts();
  const raw = await rawConnection(t.r.port);
  const startedAt = Date.now();
  dribble(raw, `GET /health HTTP/1.1\r\nHost: relay\r\nX-Padding: ${'a'.repeat(200)}\r\n\r\n`, 10);
  await stillServes(t);
  await cutAfter(raw, startedAt, HEADERS_MS);
  expect(raw.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  expect(raw.received()).not.toContain('"status"');
});

test('a PBX body dribbled a byte at a time is cut with 408 after the request timeout; nothing of it is stored or logged as a failure', async () => {
  const t = await shortTimeouts();
  const body = JSON.stringify(event('slow-1', 'ringing'));
  const raw = await rawConnection(t.r.port);
  const startedAt = Date.now();
  raw.socket.write(`POST /pbx/events HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer ${PBX}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  dribble(raw, body, 20); // ~2 s for the whole body: longer than the request timeout
  await stillServes(t);
  await cutAfter(raw, startedAt, REQUEST_MS);
  expect(raw.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  expect(JSON.stringify(await t.poll('extensions=101'))).not.toContain('slow-1');
  expect(t.logs.filter((line) => line.includes('request failed'))).toEqual([]);
});

test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
  const t = await shortTimeouts();
  const raw = await rawConnection(t.r.port);
  raw.socket.write('GET /health HTTP/1.1\r\nHost: relay\r\n\r\n');
  await waitUntil('the answer', () => raw.received().includes('{"status":"ok"}'));
  const answeredAt = Date.now();
  await cutAfter(raw, answeredAt, KEEP_ALIVE_MS);
  expect(raw.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
});
