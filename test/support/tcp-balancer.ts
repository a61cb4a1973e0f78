/**
 * A TCP load balancer on 127.0.0.1 in front of several relay nodes, as an operator's would be:
 * each new client connection goes to the next backend in turn (round-robin); a backend that
 * refuses (a node killed with kill -9) is skipped for the next one, and the client is dropped only
 * when every backend refuses. It has no health checks: a node that accepts but hangs (SIGSTOP)
 * still gets its turn. Once paired, bytes pass untouched (HTTP and WebSocket alike), and when
 * either side closes or fails the other is destroyed, so a dead node's WebSockets drop at once.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { pipeBoth } from '../../scripts/bench/tcp-proxy';

export interface Backend {
  host: string;
  port: number;
}

export interface TcpBalancer {
  port: number;
  /** `http://127.0.0.1:<port>` (the WebSocket endpoint is the same host and port, `ws://`). */
  url: string;
  /** The backends for connections from now on; open ones stay where they are. */
  setBackends(list: readonly Backend[]): void;
  /** Client connections open right now (being paired with a backend, or paired). */
  connections(): number;
  /** Drops every connection and stops listening; resolves once the listener is closed. */
  close(): Promise<void>;
}

/** A connection to `backend`, and whether it got through (false on ECONNREFUSED and the like). */
function connectTo(backend: Backend): { socket: net.Socket; connected: Promise<boolean> } {
  const socket = net.connect(backend.port, backend.host);
  const connected = new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('error', () => resolve(false));
  });
  return { socket, connected };
}

export async function startBalancer(backends: readonly Backend[]): Promise<TcpBalancer> {
  let list: Backend[] = [...backends];
  let next = 0;
  const open = new Set<net.Socket>();
  const upstreams = new Set<net.Socket>();
  let closing = false;

  const pair = async (client: net.Socket) => {
    // Until paired the client is not read (no 'data' listener), so nothing it sends is lost.
    let clientGone = false;
    const onEarlyEnd = () => {
      clientGone = true;
    };
    client.on('error', onEarlyEnd);
    client.once('close', onEarlyEnd);
    const tries = [...list.slice(next), ...list.slice(0, next)];
    next = list.length === 0 ? 0 : (next + 1) % list.length;
    for (const backend of tries) {
      if (clientGone || closing) return;
      const { socket, connected } = connectTo(backend);
      upstreams.add(socket);
      socket.once('close', () => upstreams.delete(socket));
      if (!(await connected)) {
        socket.destroy();
        continue;
      }
      if (clientGone || closing) {
        socket.destroy();
        return;
      }
      client.off('error', onEarlyEnd);
      client.off('close', onEarlyEnd);
      pipeBoth(client, socket);
      return;
    }
    client.destroy(); // every backend refused: as a balancer with no node left would
  };

  const server = net.createServer((client) => {
    if (closing) return void client.destroy();
    open.add(client);
    client.once('close', () => open.delete(client));
    void pair(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    setBackends(nextList) {
      list = [...nextList];
      next = list.length === 0 ? 0 : next % list.length;
    },
    connections: () => open.size,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const s of [...open, ...upstreams]) s.destroy();
        server.close(() => resolve());
      }),
  };
}
