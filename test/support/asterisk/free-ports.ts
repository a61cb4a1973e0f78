/**
 * Free loopback ports for the test Asterisks: TCP for AMI, UDP for SIP, and UDP ranges for RTP.
 * Found by binding port 0 (or the candidate range) and closing again; Asterisk binds them a
 * moment later, so a clash is possible but unlikely, and shows as a failed start.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function bindUdp(port: number): Promise<{ port: number; close: () => Promise<void> } | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, '127.0.0.1', () => {
      resolve({ port: socket.address().port, close: () => new Promise<void>((done) => socket.close(() => done())) });
    });
  });
}

/** A UDP port free on 127.0.0.1 that is not in `avoid` (ports already handed out). */
export async function freeUdpPort(avoid: ReadonlySet<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const bound = await bindUdp(0);
    if (!bound) continue;
    await bound.close();
    if (!avoid.has(bound.port)) return bound.port;
  }
  throw new Error('free-ports: no free UDP port on 127.0.0.1 after 20 attempts');
}

/** `size` consecutive free UDP ports (even start, as RTP wants), none in `avoid`. */
export async function freeUdpRange(size: number, avoid: ReadonlySet<number> = new Set()): Promise<[number, number]> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const start = 20_000 + 2 * Math.floor(Math.random() * 15_000);
    const ports = Array.from({ length: size }, (_, i) => start + i);
    if (ports.some((p) => avoid.has(p))) continue;
    const bound = await Promise.all(ports.map((p) => bindUdp(p)));
    await Promise.all(bound.map((b) => b?.close()));
    if (bound.every((b) => b !== undefined)) return [start, start + size - 1];
  }
  throw new Error(`free-ports: no ${size} consecutive free UDP ports on 127.0.0.1 after 20 attempts`);
}
