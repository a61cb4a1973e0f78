/**
 * The cluster tests' own machinery, checked against what it stages: a real redis-server that
 * keeps its data across a crash and hangs when paused, and a TCP balancer that spreads new
 * connections, skips a dead node and drops the clients of one that dies.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../../scripts/bench/relay-process';
import { startRedis } from '../../support/redis-server';
import type { RedisServer } from '../../support/redis-server';
import { startBalancer } from '../../support/tcp-balancer';
import type { TcpBalancer } from '../../support/tcp-balancer';
import { eventually, waitUntil } from '../../support/wait';

/** One command in raw RESP over a fresh socket; its reply's value (null for a nil bulk string). */
function redisCommand(port: number, args: readonly string[], timeoutMs = 2_000): Promise<string | null> {
  const request = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis on ${port}: no answer to ${args[0]} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (fn: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString('utf8');
      const eol = got.indexOf('\r\n');
      if (eol < 0) return;
      const head = got.slice(0, eol);
      if (head.startsWith('-')) return done(() => reject(new Error(`redis on ${port}: ${head}`)));
      if (!head.startsWith('$')) return done(() => resolve(head.slice(1)));
      const length = Number(head.slice(1));
      if (length < 0) return done(() => resolve(null));
      if (got.length >= eol + 2 + length + 2) done(() => resolve(got.slice(eol + 2, eol + 2 + length)));
    });
    socket.on('error', (e) => done(() => reject(e)));
    socket.write(request);
  });
}

/** A GET on a connection of its own (no keep-alive), so each request is a new balancer client. */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString('utf8')));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

async function namedServer(name: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const at = (port: number) => ({ host: '127.0.0.1', port });

describe('redis-server for the cluster tests', () => {
  let redis: RedisServer;
  beforeEach(async () => {
    redis = await startRedis();
  });
  afterEach(() => redis.stop());

  it('listens on its own loopback port and answers PING', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.port).not.toBe(6379);
    expect(await redisCommand(redis.port, ['PING'])).toBe('PONG');
  });

  it('keeps an acknowledged write through a kill -9 and a restart on the same port', async () => {
    expect(await redisCommand(redis.port, ['SET', 'call:1', 'ringing'])).toBe('OK');
    const crashedPid = redis.pid;
    await redis.kill9();
    await expect(redisCommand(redis.port, ['PING'])).rejects.toThrow(/ECONNREFUSED/);
    await redis.restart();
    expect(redis.pid).not.toBe(crashedPid);
    expect(await redisCommand(redis.port, ['GET', 'call:1'])).toBe('ringing');
  });

  it('keeps its data through a clean restart, and through stop({ keepData }) then restart', async () => {
    expect(await redisCommand(redis.port, ['SET', 'k', 'v'])).toBe('OK');
    await redis.restart();
    expect(await redisCommand(redis.port, ['GET', 'k'])).toBe('v');
    await redis.stop({ keepData: true });
    await redis.restart();
    expect(await redisCommand(redis.port, ['GET', 'k'])).toBe('v');
    expect(await redisCommand(redis.port, ['GET', 'never-set'])).toBeNull();
  });

  it('hangs while paused (connections open, no answer) and answers the hung command once resumed', async () => {
    redis.pause();
    let answer: string | null | undefined;
    const hung = redisCommand(redis.port, ['PING'], 10_000).then((a) => (answer = a));
    expect(await eventually(() => answer !== undefined, { timeoutMs: 500, everyMs: 20 })).toBe(false);
    await expect(redisCommand(redis.port, ['PING'], 300)).rejects.toThrow(/no answer to PING within 300 ms/);
    redis.resume();
    await hung;
    expect(answer).toBe('PONG');
    expect(await redisCommand(redis.port, ['PING'])).toBe('PONG');
  });

  it('stops for good: the port refuses, and restart() says why it cannot', async () => {
    await redis.stop();
    await expect(redisCommand(redis.port, ['PING'])).rejects.toThrow(/ECONNREFUSED/);
    await expect(redis.restart()).rejects.toThrow(/stopped for good/);
  });
});

describe('tcp balancer in front of the nodes', () => {
  let a: { port: number; close(): Promise<void> };
  let b: { port: number; close(): Promise<void> };
  let balancer: TcpBalancer | undefined;
  beforeEach(async () => {
    [a, b] = await Promise.all([namedServer('a'), namedServer('b')]);
  });
  afterEach(async () => {
    await balancer?.close();
    balancer = undefined;
    await Promise.all([a.close(), b.close()]);
  });

  it('sends each new connection to the next node in turn', async () => {
    balancer = await startBalancer([at(a.port), at(b.port)]);
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(await get(balancer.url));
    expect(answers).toEqual(['a', 'b', 'a', 'b']);
    await waitUntil('the balancer has no connection left open', () => balancer?.connections() === 0);
  });

  it('skips a node that refuses (killed) for the next one, and takes new backends', async () => {
    const dead = await freePort();
    balancer = await startBalancer([at(dead), at(a.port)]);
    expect([await get(balancer.url), await get(balancer.url), await get(balancer.url)]).toEqual(['a', 'a', 'a']);
    balancer.setBackends([at(b.port)]);
    expect(await get(balancer.url)).toBe('b');
  });

  it('drops the client when every node refuses', async () => {
    balancer = await startBalancer([at(await freePort())]);
    await expect(get(balancer.url)).rejects.toThrow(/socket hang up|ECONNRESET/);
    await waitUntil('the refused client is forgotten', () => balancer?.connections() === 0);
  });

  it("drops a client's open connection at once when its node is killed", async () => {
    const redis = await startRedis();
    try {
      balancer = await startBalancer([at(redis.port)]);
      const client = net.connect(balancer.port, '127.0.0.1');
      let closed = false;
      let reply = '';
      client.on('data', (d: Buffer) => (reply += d.toString('utf8')));
      client.on('close', () => (closed = true));
      client.on('error', () => {});
      client.write('PING\r\n');
      await waitUntil('PONG through the balancer', () => reply === '+PONG\r\n');
      expect(balancer.connections()).toBe(1);
      await redis.kill9();
      await waitUntil('the client connection dropped', () => closed, { timeoutMs: 2_000 });
      expect(balancer.connections()).toBe(0);
    } finally {
      await redis.stop();
    }
  });

  it('close() drops open connections and stops listening', async () => {
    balancer = await startBalancer([at(a.port)]);
    const { port } = balancer;
    const client = net.connect(port, '127.0.0.1');
    let closed = false;
    client.on('close', () => (closed = true));
    client.on('error', () => {});
    await waitUntil('the client is paired', () => balancer?.connections() === 1);
    await balancer.close();
    balancer = undefined;
    await waitUntil('the client connection closed', () => closed);
    await expect(get(`http://127.0.0.1:${port}`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
