/**
 * Runs the reference relay on its own HTTP server, bound to loopback by default. Tests use
 * port 0 (any free port); `main.ts` is the command-line entry.
 *
 * The server's own defences (the relay's are in guard/): request headers must arrive within
 * `headersTimeoutMs` and a whole request within `requestTimeoutMs` (a client dribbling bytes
 * is cut with 408), an idle keep-alive connection is closed after `keepAliveTimeoutMs`, and open
 * connections are capped below the open-files limit (guard/connections.ts), so the process never
 * meets EMFILE and the PBX endpoint stays reachable.
 */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ConnectionGuard } from './guard/connections';
import { connectionBudget, openFilesLimit } from './guard/descriptor-limit';
import { withDefaults } from './options';
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
  /** Open TCP connections of every kind. */
  openConnections(): number;
  /** The connection cap in force: `maxConnections`, or lower when the open-files limit is. */
  maxConnections: number;
  close(): Promise<void>;
}

/** How often Node checks the request timeouts: a fraction of the shortest, so a cut comes soon after it. */
const checkEvery = (shortestMs: number) => Math.max(50, Math.min(1_000, Math.floor(shortestMs / 4)));

export async function startRelay(options: RelayOptions & { port?: number; host?: string }): Promise<RunningRelay> {
  const settings = withDefaults(options);
  const log = options.log ?? (() => {});
  if (settings.headersTimeoutMs > settings.requestTimeoutMs) {
    throw new Error(`headersTimeoutMs (${settings.headersTimeoutMs}) must not exceed requestTimeoutMs (${settings.requestTimeoutMs}): the headers are part of the request`);
  }
  const budget = connectionBudget(settings.maxConnections, openFilesLimit());
  const subscriberRoom = budget.maxConnections - settings.connectionReserve;
  if (subscriberRoom < 1) throw new Error(`the connection cap (${budget.maxConnections}) must exceed connectionReserve (${settings.connectionReserve})`);
  // Authenticated sockets never take the last connections: those are the PBX's, the polls' and newcomers'.
  const maxSubscribers = Math.min(settings.maxSubscribers, subscriberRoom);
  if (budget.loweredBy !== null) log('relay: open connections capped by the open-files limit', { openFilesLimit: budget.loweredBy, maxConnections: budget.maxConnections, maxSubscribers });
  const relay = createRelay({ ...options, maxSubscribers });
  const host = options.host ?? '127.0.0.1';
  const server = createServer({ connectionsCheckingInterval: checkEvery(settings.headersTimeoutMs) }, (req, res) => {
    if (relay.handleRequest(req, res)) return;
    res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: 'not_found', reason: 'routes: POST /pbx/events, GET /calls, GET /calls.js, GET /health, WS /ws' }));
  });
  server.headersTimeout = settings.headersTimeoutMs;
  server.requestTimeout = settings.requestTimeoutMs;
  server.keepAliveTimeout = settings.keepAliveTimeoutMs;
  const connections = new ConnectionGuard({ maxConnections: budget.maxConnections, shedPending: () => relay.shedPending(), log });
  server.on('connection', (socket: Socket) => connections.accept(socket));
  server.on('request', (req, res) => {
    connections.requestStarted(req.socket);
    res.once('close', () => connections.requestDone(req.socket));
  });
  server.on('upgrade', (req, socket: Duplex, head) => {
    connections.upgraded(socket as Socket);
    if (!relay.handleUpgrade(req, socket, head)) socket.destroy();
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // Headers or a body that did not arrive within their timeout; anything else is not HTTP.
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    else socket.destroy();
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
    openConnections: () => connections.size,
    maxConnections: budget.maxConnections,
    close: async () => {
      const writes = relay.close();
      await new Promise<void>((resolve) => {
        connections.destroyAll();
        server.close(() => resolve());
      });
      // The call log's writes in flight are recorded in its outbox before the process may exit.
      await writes;
    },
  };
}
