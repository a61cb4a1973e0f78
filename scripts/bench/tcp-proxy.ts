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
    client.on('data', (d) => {
      if (!c.silent) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (c.silent) return;
      c.lastFromRelay = Date.now();
      client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    // A silent connection stays open on the side still there, as a black hole would.
    let closed = 0;
    const forget = () => {
      if (++closed === 2) conns.delete(c);
    };
    client.on('close', () => {
      if (!c.silent) upstream.destroy();
      forget();
    });
    upstream.on('close', () => {
      if (!c.silent) client.destroy();
      forget();
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
