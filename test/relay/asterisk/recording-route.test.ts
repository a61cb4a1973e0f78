/**
 * `GET`/`HEAD /recordings/<token>` over a real loopback server and a temporary recordings
 * directory (relay/src/asterisk/recording-route.ts): the bytes, ranges, and every refusal.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecordingLinks } from '../../../relay/src/asterisk/recordings';
import { createRecordingRoute } from '../../../relay/src/asterisk/recording-route';
import { createTokenKey } from '../../../relay/src/asterisk/recording-token';
import { eventually } from '../../support/wait';

const SECRET = 'route-secret-0123456789abcdef';
const NAME = 'in-5550100-+18305803077-20261202-011909-1796174349.2.wav';
const BYTES = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

let root: string;
let dir: string;
let server: Server;
let port: number;
let now = 1_000_000;
const logged: string[] = [];

function tokenFor(path: string, expires = now + 60_000): string {
  return createTokenKey(SECRET).sign(path, expires);
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function fetchRaw(path: string, o: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: o.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const json = (a: Answer) => JSON.parse(a.body.toString('utf8')) as { error: string };

beforeAll(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'recording-route-')));
  dir = join(root, 'monitor');
  mkdirSync(join(dir, '2026/12/02'), { recursive: true });
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(dir, '2026/12/02', NAME), BYTES);
  writeFileSync(join(dir, 'notes.txt'), 'not audio');
  writeFileSync(join(dir, 'big.wav'), Buffer.alloc(16 * 1024 * 1024, 7));
  writeFileSync(join(root, 'outside/secret.wav'), 'outside the directory');
  symlinkSync(join(root, 'outside/secret.wav'), join(dir, 'escape.wav'));
  symlinkSync(join(root, 'outside'), join(dir, 'escape-dir'));
  symlinkSync(join(dir, 'notes.txt'), join(dir, 'notes.wav'));
  symlinkSync(join(dir, '2026/12/02', NAME), join(dir, 'inside.wav'));
  mkdirSync(join(dir, 'folder.wav'));
  execFileSync('mkfifo', [join(dir, 'fifo.wav')]);
  const route = createRecordingRoute({ dir, secret: SECRET, now: () => now, log: (m) => logged.push(m) });
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://relay.invalid').pathname;
    if (!route(req, res, path)) {
      res.writeHead(418);
      res.end('not the route');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

describe('serving a recording', () => {
  it('answers 200 with the bytes, typed by extension, privately cached', async () => {
    const url = createRecordingLinks({ dir, secret: SECRET, publicBase: 'http://relay.example.com', now: () => now }).urlFor(join(dir, '2026/12/02', NAME)) as string;
    const answer = await fetchRaw(new URL(url).pathname);
    expect(answer.status).toBe(200);
    expect(answer.body.equals(BYTES)).toBe(true);
    expect(answer.headers['content-type']).toBe('audio/wav');
    expect(answer.headers['content-length']).toBe('1000');
    expect(answer.headers['accept-ranges']).toBe('bytes');
    expect(answer.headers['cache-control']).toMatch(/^private/);
  });

  it('answers HEAD with the headers alone', async () => {
    const answer = await fetchRaw(`/recordings/${tokenFor(`2026/12/02/${NAME}`)}`, { method: 'HEAD' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-length']).toBe('1000');
    expect(answer.body.length).toBe(0);
  });

  it('serves one range (206) and refuses one past the end (416)', async () => {
    const path = `/recordings/${tokenFor(`2026/12/02/${NAME}`)}`;
    const part = await fetchRaw(path, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 10-19/1000');
    expect(part.headers['content-length']).toBe('10');
    expect(part.body.equals(BYTES.subarray(10, 20))).toBe(true);
    const tail = await fetchRaw(path, { headers: { Range: 'bytes=-5' } });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(BYTES.subarray(995))).toBe(true);
    const past = await fetchRaw(path, { headers: { Range: 'bytes=1000-' } });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe('bytes */1000');
    expect(json(past).error).toBe('range_not_satisfiable');
  });

  it('follows a symlink that stays inside the directory', async () => {
    const answer = await fetchRaw(`/recordings/${tokenFor('inside.wav')}`);
    expect(answer.status).toBe(200);
    expect(answer.body.equals(BYTES)).toBe(true);
  });

  it('lets go of the file when the client goes away mid-stream', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: `/recordings/${tokenFor('big.wav')}` }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
      req.end();
    });
    expect(await eventually(() => fds() <= before, { timeoutMs: 5_000 })).toBe(true);
  });
});

describe('refusals', () => {
  it('refuses a tampered token (403 bad_token) and an expired one (403 link_expired)', async () => {
    const token = tokenFor(`2026/12/02/${NAME}`);
    const [payload, signature] = token.split('.') as [string, string];
    const other = Buffer.from(JSON.stringify({ p: 'escape.wav', e: now + 60_000 })).toString('base64url');
    for (const bad of [`${other}.${signature}`, `${payload}.${signature.slice(0, -2)}AA`, payload, 'x.y']) {
      const answer = await fetchRaw(`/recordings/${bad}`);
      expect([answer.status, json(answer).error]).toEqual([403, 'bad_token']);
    }
    const expired = await fetchRaw(`/recordings/${tokenFor(`2026/12/02/${NAME}`, now)}`);
    expect([expired.status, json(expired).error]).toEqual([403, 'link_expired']);
  });

  it('answers 404 recording_not_ready for a file not written yet', async () => {
    const answer = await fetchRaw(`/recordings/${tokenFor('2026/12/03/later.wav')}`);
    expect([answer.status, json(answer).error]).toEqual([404, 'recording_not_ready']);
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it.each([
    ['a symlink out of the directory', 'escape.wav'],
    ['a file under a symlinked directory outside', 'escape-dir/secret.wav'],
    ['a symlink to a file that is not audio', 'notes.wav'],
    ['a directory', 'folder.wav'],
    ['a FIFO', 'fifo.wav'],
  ])('refuses %s (404 recording_not_found)', async (_, path) => {
    const answer = await fetchRaw(`/recordings/${tokenFor(path)}`);
    expect([answer.status, json(answer).error]).toEqual([404, 'recording_not_found']);
  });

  it.each([
    ['a non-audio file', 'notes.txt'],
    ['.. out of the directory', '../outside/secret.wav'],
    ['an absolute path', '/etc/asterisk/secret.wav'],
  ])('refuses a genuine token for %s (404 recording_not_found)', async (_, path) => {
    const answer = await fetchRaw(`/recordings/${tokenFor(path)}`);
    expect([answer.status, json(answer).error]).toEqual([404, 'recording_not_found']);
  });

  it('lists nothing, and answers 404 for any other path under /recordings/', async () => {
    for (const path of ['/recordings', '/recordings/', '/recordings/2026/12/02', `/recordings/${tokenFor('inside.wav')}/x`]) {
      const answer = await fetchRaw(path);
      expect([path, answer.status, json(answer).error]).toEqual([path, 404, 'not_found']);
    }
    const dotted = await fetchRaw('/recordings/..%2F..%2Fetc%2Fpasswd');
    expect(dotted.status).toBe(403);
    // Not the route's at all: the URL parser already resolved the dots.
    expect((await fetchRaw('/recordings/../etc/passwd')).status).toBe(418);
  });

  it('answers 405 for other methods', async () => {
    const answer = await fetchRaw(`/recordings/${tokenFor('inside.wav')}`, { method: 'DELETE' });
    expect([answer.status, answer.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('never logs the token or the secret', () => {
    expect(logged.join('\n')).not.toContain(SECRET);
    expect(logged.join('\n')).not.toMatch(/[A-Za-z0-9_-]{40,}/);
    expect(logged).toContain('relay: asterisk: a recording link resolves outside the recordings directory (a symlink); refused');
  });
});
