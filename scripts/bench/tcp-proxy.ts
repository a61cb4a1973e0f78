/**
 * A TCP proxy on 127.0.0.1 in front of the relay, for faults the relay itself cannot stage:
 *  - silence(): open connections stop carrying bytes both ways, nothing is closed (a relay gone
 *    silent behind a dead NAT entry): the widget's heartbeat must find it;
 *  - cut() / restore(): every connection is dropped and new ones are closed on arrival until
 *    restore() (a network blip): the relay keeps running and storing calls meanwhile.
 * Bytes pass untouched, so WebSocket and HTTP polling both work through it.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Connections accepted and forwarded (those refused during a cut do not count). */
  accepted(): number;
  /** Date.now() of each accepted connection, in order. */
  readonly acceptedAt: number[];
  /** Open connections go silent both ways; returns Date.now() of the last byte the relay sent. New connections work. */
  silence(): number;
  /** Drops every connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export interface PipeHooks {
  /**
   * False while the pair is silent: bytes are dropped both ways, and one side closing leaves the
   * other open, as a black hole would. Errors still destroy both. Always true when absent.
   */
  flowing?: () => boolean;
  /** Each chunk from upstream that is passed on, before it is written to the client. */
  onUpstreamData?: (chunk: Buffer) => void;
  /** Both sockets have closed. */
  onClosed?: () => void;
}

/**
 * Bytes both ways between an accepted client and its upstream, untouched; an error on either side
 * destroys both, and so does a close (while flowing), so a dead backend drops its clients at once.
 * Shared with test/support/tcp-balancer.ts.
 */
export function pipeBoth(client: net.Socket, upstream: net.Socket, hooks: PipeHooks = {}): void {
  const flowing = hooks.flowing ?? (() => true);
  client.on('data', (d: Buffer) => {
    if (flowing()) upstream.write(d);
  });
  upstream.on('data', (d: Buffer) => {
    if (!flowing()) return;
    hooks.onUpstreamData?.(d);
    client.write(d);
  });
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end);
  upstream.on('error', end);
  let closed = 0;
  const forget = () => {
    if (++closed === 2) hooks.onClosed?.();
  };
  client.on('close', () => {
    if (flowing()) upstream.destroy();
    forget();
  });
  upstream.on('close', () => {
    if (flowing()) client.destroy();
    forget();
  });
}

interface Conn {
  client: net.Socket;
  upstream: net.Socket;
  silent: boolean;
  lastFromRelay: number;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const conns = new Set<Conn>();
  const acceptedAt: number[] = [];
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    acceptedAt.push(Date.now());
    const upstream = net.connect(targetPort, '127.0.0.1');
    const c: Conn = { client, upstream, silent: false, lastFromRelay: Date.now() };
    conns.add(c);
    pipeBoth(client, upstream, {
      flowing: () => !c.silent,
      onUpstreamData: () => {
        c.lastFromRelay = Date.now();
      },
      onClosed: () => conns.delete(c),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dropAll = () => {
    for (const c of conns) {
      c.client.destroy();
      c.upstream.destroy();
    }
    conns.clear();
  };
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => acceptedAt.length,
    acceptedAt,
    silence(): number {
      let last = 0;
      for (const c of conns) {
        c.silent = true;
        last = Math.max(last, c.lastFromRelay);
      }
      return last;
    },
    cut() {
      cut = true;
      dropAll();
    },
    restore() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
  };
}
