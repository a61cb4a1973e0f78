/**
 * Runs the reference relay on its own HTTP server, bound to loopback by default. Tests use
 * port 0 (any free port); `main.ts` is the command-line entry.
 */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { createRelay } from './relay';
import type { Relay, RelayOptions } from './relay';

export interface RunningRelay {
  /** http://host:port */
  url: string;
  /** ws://host:port/ws: the widget's `ws_url` setting. */
  wsUrl: string;
  /** http://host:port/calls: the widget's `poll_url` (JSON mode); `${url}/calls.js` is script mode. */
  pollUrl: string;
  port: number;
  relay: Relay;
  /** Open WebSocket connections (widgets connected to `/ws`); HTTP keep-alive sockets do not count. */
  connections(): number;
  close(): Promise<void>;
}

export async function startRelay(options: RelayOptions & { port?: number; host?: string }): Promise<RunningRelay> {
  const relay = createRelay(options);
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    if (relay.handleRequest(req, res)) return;
    res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: 'not_found', reason: 'routes: POST /pbx/events, GET /calls, GET /calls.js, GET /health, WS /ws' }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, socket, head) => {
    if (!relay.handleUpgrade(req, socket, head)) socket.destroy();
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}`;
  return {
    url,
    wsUrl: `ws://${shownHost}:${port}/ws`,
    pollUrl: `${url}/calls`,
    port,
    relay,
    connections: () => relay.subscriberCount(),
    close: () =>
      new Promise<void>((resolve) => {
        relay.close();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
