/**
 * The sandbox: a page that hosts dist/widget/script.js the way Kommo does, the simulated CRM
 * behind /api, and the relay (on its own listener, a separate origin as in production) fed by a
 * simulated PBX. `npm start`, the end-to-end tests and the benchmarks all drive this.
 *
 *   sandbox origin  /                 host page (also every card path: /contacts/detail/ID ...)
 *                   /sandbox/*        page assets (host.js: the Kommo double, scripts/sandbox/kommo), config, PBX + CRM controls
 *                   /widget/*         the built widget (script.js, manifest.json, i18n/, images/)
 *                   /vendor/*         RequireJS, jQuery, underscore from node_modules
 *                   /api/*            the simulated CRM (by_phone, events)
 *                   /sandbox/notices  Kommo's call notifications from /api/v2/events, per user (call-notices.ts)
 *                   /recordings/*.wav the simulated PBX's recordings
 *                   /sandbox/pbx/originate  the simulated PBX's click-to-call endpoint (pbx-originate.ts)
 *   relay origin    /ws, /calls, /calls.js, /ticket, /originate, /pbx/events   (relay/)
 *
 * The relay runs the real authentication: the Kommo double's `$authorizedAjax` fetches a one-time
 * token from /sandbox/one-time-token (signed with the sandbox integration's secret,
 * one-time-token.ts), the widget exchanges it for a ticket at the relay's /ticket, and the relay
 * allows each user their own extension (users.ts). The legacy shared token is accepted as well
 * unless `legacyToken: false` (`npm start` runs without it).
 */
import { BodyTooLarge, readBody } from '../../relay/src/body';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { createCrm, createHttpAdapter, createKommoApi, createRelay, DEFAULT_API_TOKEN, DEFAULT_UNKNOWN_CALLERS, defaultSeed, listenCrm, MemoryOutbox, parseUnknownCallers } from './backends';
import type { Crm, CrmFaults, CrmSeed, PbxAdapter, PbxSource, Relay, RelayOptions } from './backends';
import { findEntity, listEntities } from './entities';
import { kommoDoubleScript } from './kommo/build';
import type { CardType } from './entities';
import { createCallNotices } from './call-notices';
import { createPbx, PbxInputError, recordingWav } from './pbx';
import { createOriginateEndpoint, listenOnLoopback } from './pbx-originate';
import type { Pbx, PbxAction, WireCallEvent } from './pbx';
import { SANDBOX_INTEGRATION, signOneTimeToken } from './one-time-token';
import { SANDBOX_ACCOUNT, SANDBOX_LOCALES, SANDBOX_USERS, sandboxUsersMap } from './users';

export interface SandboxTokens {
  /** The legacy shared token (the widget's `token` setting), accepted unless `legacyToken` is false. */
  token: string;
  /** What the PBX uses to POST events to the relay. */
  pbxToken: string;
  /** What the relay presents to the simulated PBX's originate endpoint (click-to-call); random per sandbox. */
  originateToken: string;
}

export interface SandboxOptions {
  /** 0 picks a free port (tests). Default 8080. */
  port?: number;
  /** Default 127.0.0.1: the sandbox is for this machine only unless asked otherwise. */
  host?: string;
  /** Serve the page and the relay over TLS with a fresh self-signed certificate. */
  https?: boolean;
  /** The relay's own port; default: port + 1, or a free one when port is 0. */
  relayPort?: number;
  crmSeed?: CrmSeed;
  tokens?: Partial<SandboxTokens>;
  /** The relay also accepts the legacy shared `tokens.token` (version 1 widgets, naive clients); default true. */
  legacyToken?: boolean;
  /** false: a relay without per-user tickets (`POST /ticket` answers 404), as a version-1 relay; default true. */
  tickets?: boolean;
  /** Where the built widget is; default dist/widget. */
  widgetDir?: string;
  /** How long a pop-up stays on screen in the page, ms (default 15000). */
  popupMs?: number;
  /** Log relay/PBX traffic to stdout. */
  verbose?: boolean;
  /** The relay's click-to-call rate limit per user (ms; default the relay's, 3 s): the benchmark dials back to back. */
  originateIntervalMs?: number;
  /** false: the relay logs no calls in the CRM (docs/call-log.md); default true, with this settle delay (ms; default 1000). */
  callLog?: false | { settleMs?: number };
  /**
   * A real PBX instead of the simulated one (the Asterisk tests): each relay (a new one after
   * restartRelay()) reads its calls from `source()` and originates through `originate()`.
   */
  realPbx?: { source: () => PbxSource; originate: () => PbxAdapter };
}

export interface Sandbox {
  /** The host page, e.g. http://127.0.0.1:8080/ (trailing slash). */
  url: string;
  /** The relay's origin, e.g. http://127.0.0.1:8081 */
  relayUrl: string;
  wsUrl: string;
  pollUrl: string;
  tokens: SandboxTokens;
  /** The relay's Kommo settings: the sandbox integration's secret, the account, the page origins it allows. */
  kommo: { secret: string; accountId: number; origins: readonly string[] };
  /** TLS certificate (PEM) when `https` is on, so clients can trust it. */
  certificate?: string;
  /** The current relay (a new object after restartRelay()). */
  readonly relay: Relay;
  crm: Crm;
  pbx: Pbx;
  /**
   * Closes every WebSocket and the relay's listener, then listens again on the same port;
   * `downMs` holds the port closed that long first (benchmarks: outages of a given length).
   */
  restartRelay(options?: { downMs?: number }): Promise<void>;
  close(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..', '..');
const PUBLIC_DIR = path.join(__dirname, 'public');
const MAX_BODY = 16 * 1024;

const VENDOR: Record<string, string> = {
  'require.js': require.resolve('requirejs/require.js'),
  'jquery.js': require.resolve('jquery/dist/jquery.js'),
  'underscore.js': require.resolve('underscore/underscore-umd.js'),
};

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.wav': 'audio/wav',
};

/** Paths the host page answers: Kommo's areas and card pages. */
const PAGE_PATHS = [
  /^\/$/,
  /^\/dashboard\/?$/,
  /^\/(contacts|companies|leads|customers)\/list\/?$/,
  /^\/leads\/pipeline(\/\d+)?\/?$/,
  /^\/(contacts|companies|leads|customers)\/detail\/\d+\/?$/,
  /^\/(contacts|companies|leads)\/add\/?$/,
  /^\/settings\/widgets\/?$/,
];

function send(res: http.ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8', extra: http.OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

/** Serves a file from inside `root` only; false when it is not there. */
function serveFile(res: http.ServerResponse, root: string, rel: string, extra: http.OutgoingHttpHeaders = {}): boolean {
  const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (!file.startsWith(root + path.sep)) return false;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return false;
  }
  if (!stat.isFile()) return false;
  send(res, 200, fs.readFileSync(file), TYPES[path.extname(file)] ?? 'application/octet-stream', extra);
  return true;
}

async function readLimitedBody(req: http.IncomingMessage): Promise<string> {
  try {
    return await readBody(req, MAX_BODY);
  } catch (error) {
    throw error instanceof BodyTooLarge ? new PbxInputError(error.message, 413) : error;
  }
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readLimitedBody(req);
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PbxInputError('body is not JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new PbxInputError('body must be a JSON object');
  return value as Record<string, unknown>;
}

/** POSTs one event to the relay as a PBX would; rejects with the relay's reason on a non-2xx. */
function postToRelay(url: string, pbxToken: string, event: WireCallEvent, ca?: string): Promise<void> {
  const body = JSON.stringify(event);
  const target = new URL(url);
  const mod = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${pbxToken}` },
        ...(ca ? { ca } : {}),
        // A fresh connection per event: a pooled one may belong to a relay that was restarted.
        agent: false,
        timeout: 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new PbxInputError(`relay answered ${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`, 502));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('relay did not answer within 5 s')));
    req.on('error', (err) => reject(new PbxInputError(`relay unreachable: ${err.message}`, 502)));
    req.end(body);
  });
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server, sockets: Set<Duplex>): Promise<void> {
  return new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Tracks raw sockets (upgraded ones included) so close() never waits on a keep-alive. */
function trackSockets(server: http.Server): Set<Duplex> {
  const sockets = new Set<Duplex>();
  const add = (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  server.on('connection', (socket: Socket) => add(socket));
  server.on('secureConnection', (socket: Socket) => add(socket));
  return sockets;
}

async function makeCertificate(host: string): Promise<{ key: string; cert: string }> {
  const selfsigned = await import('selfsigned');
  const altNames = [
    { type: 2 as const, value: 'localhost' },
    { type: 7 as const, ip: '127.0.0.1' },
  ];
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '0.0.0.0' && host !== '::') {
    altNames.push(/^[\d.]+$/.test(host) ? { type: 7 as const, ip: host } : { type: 2 as const, value: host });
  }
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'kommo-telephony-sandbox' }], {
    days: 30,
    keySize: 2048,
    extensions: [{ name: 'subjectAltName', altNames }],
  } as Parameters<typeof selfsigned.generate>[1]);
  return { key: pems.private, cert: pems.cert };
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  const requestedPort = opts.port ?? 8080;
  const tokens: SandboxTokens = {
    token: opts.tokens?.token ?? 'sandbox-token',
    pbxToken: opts.tokens?.pbxToken ?? 'sandbox-pbx-token',
    originateToken: opts.tokens?.originateToken ?? randomBytes(24).toString('base64url'),
  };
  const widgetDir = path.resolve(opts.widgetDir ?? path.join(ROOT, 'dist', 'widget'));
  const seed = opts.crmSeed ?? defaultSeed;
  const tls = opts.https ? await makeCertificate(host) : null;
  const scheme = tls ? 'https' : 'http';
  const log = opts.verbose ? (line: string) => console.log(`[sandbox] ${line}`) : () => {};
  // Browsers reach a wildcard bind through loopback.
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const hostPart = publicHost.includes(':') ? `[${publicHost}]` : publicHost;

  const crm = createCrm(seed);
  const callNotices = createCallNotices();
  const legacyToken = opts.legacyToken ?? true;
  // Created once the page's origin is known (the relay's allow-list); kept across restarts, as
  // a relay with --ticket-secret keeps its tickets valid.
  let relayOptions: RelayOptions;
  let relay!: Relay;

  const createServer = (handler: http.RequestListener): http.Server => {
    const server = tls ? (https.createServer({ key: tls.key, cert: tls.cert }, handler) as unknown as http.Server) : http.createServer(handler);
    // A malformed request gets a 400, never an exception.
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    return server;
  };

  // ---- the relay's listener (re-created by restartRelay) ----
  const relayHandler: http.RequestListener = (req, res) => {
    try {
      if (!relay.handleRequest(req, res)) send(res, 404, 'not a relay path: /ws, /calls, /calls.js, /pbx/events\n');
    } catch (err) {
      log(`relay request failed: ${(err as Error).message}`);
      send(res, 500, 'relay error\n');
    }
  };
  const onRelayUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      if (!relay.handleUpgrade(req, socket, head)) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      }
    } catch (err) {
      log(`relay upgrade failed: ${(err as Error).message}`);
      socket.destroy();
    }
  };
  let relayServer = createServer(relayHandler);
  relayServer.on('upgrade', onRelayUpgrade);
  let relaySockets = trackSockets(relayServer);
  const relayPort = await listen(relayServer, opts.relayPort ?? (requestedPort === 0 ? 0 : requestedPort + 1), host);
  const relayUrl = `${scheme}://${hostPart}:${relayPort}`;
  const wsUrl = `${tls ? 'wss' : 'ws'}://${hostPart}:${relayPort}/ws`;
  const pollUrl = `${relayUrl}/calls`;

  // ---- the page's server ----
  let pageUrl = '';
  const pbx = createPbx({
    send: async (event) => {
      log(`pbx -> relay ${JSON.stringify(event)}`);
      await postToRelay(`${relayUrl}/pbx/events`, tokens.pbxToken, event, tls?.cert);
    },
    recordingBase: () => pageUrl.replace(/\/$/, ''),
  });
  const originateEndpoint = createOriginateEndpoint({ pbx, token: tokens.originateToken, users: SANDBOX_USERS, log });

  const config = () => ({
    wsUrl,
    pollUrl,
    scriptPollUrl: `${relayUrl}/calls.js`,
    relayUrl,
    token: legacyToken ? tokens.token : '',
    users: SANDBOX_USERS,
    locales: SANDBOX_LOCALES,
    widget: { path: '/widget', code: 'kommo_telephony', version: readManifestVersion(widgetDir) },
    popupMs: opts.popupMs ?? 15000,
  });

  const handlePage = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const p = url.pathname;
    const method = req.method ?? 'GET';

    // The simulated CRM: /api/v2/search/by_phone, /api/v2/events, ...
    if (p.startsWith('/api/')) {
      // What the CRM files for a call event reaches every tab of the users it names (GET /sandbox/notices).
      if (method === 'POST' && /^\/api\/v2\/events\/?$/.test(p)) callNotices.watch(res, () => crm.events[crm.events.length - 1]);
      if (!crm.handle(req, res)) send(res, 404, 'no such API route in the simulated CRM\n');
      return;
    }

    if (method === 'OPTIONS') {
      // The dev-loader loads /widget/* from a real Kommo page (another origin).
      send(res, 204, '', 'text/plain', {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET',
        'access-control-allow-private-network': 'true',
      });
      return;
    }

    if (p.startsWith('/widget/')) {
      const rel = p.slice('/widget/'.length);
      const cors = { 'access-control-allow-origin': '*' };
      // The build puts manifest, i18n and images next to script.js; before a build, the sources.
      const fromSources = rel === 'manifest.json' || rel.startsWith('i18n/') || rel.startsWith('images/');
      if (serveFile(res, widgetDir, rel, cors) || (fromSources && serveFile(res, ROOT, rel, cors))) return;
      send(res, 404, `not built: ${rel} (run npm run build)\n`);
      return;
    }

    if (p.startsWith('/vendor/')) {
      const file = VENDOR[p.slice('/vendor/'.length)];
      if (file) send(res, 200, fs.readFileSync(file), TYPES['.js']);
      else send(res, 404, 'no such vendor file\n');
      return;
    }

    if (p.startsWith('/recordings/') && p.endsWith('.wav')) {
      send(res, 200, recordingWav(), 'audio/wav');
      return;
    }

    if (p === '/sandbox/notices' && method === 'GET') {
      const after = url.searchParams.get('after');
      sendJson(res, 200, callNotices.since(url.searchParams.get('user') ?? '', after === null || !/^\d+$/.test(after) ? null : Number(after)));
      return;
    }

    if (p === '/sandbox/config') {
      sendJson(res, 200, config());
      return;
    }

    // The Kommo double's `$authorizedAjax` (kommo/instance.ts): the one-time token Kommo would sign.
    if (p === '/sandbox/one-time-token' && method === 'GET') {
      const user = SANDBOX_USERS.find((u) => String(u.id) === url.searchParams.get('user_id'));
      if (!user) throw new PbxInputError(`user_id must be a sandbox user (${SANDBOX_USERS.map((u) => u.id).join(', ')})`);
      const token = await signOneTimeToken({ userId: user.id, accountId: SANDBOX_ACCOUNT.id, issuer: pageUrl.replace(/\/$/, ''), audience: relayUrl });
      sendJson(res, 200, { token });
      return;
    }

    const entityMatch = /^\/sandbox\/entity\/(contacts|companies|leads|customers)\/(\d+)$/.exec(p);
    if (entityMatch) {
      const entity = findEntity(seed, entityMatch[1] as CardType, Number(entityMatch[2]));
      if (entity) sendJson(res, 200, entity);
      else sendJson(res, 404, { error: 'not_found' });
      return;
    }
    const listMatch = /^\/sandbox\/entity\/(contacts|companies|leads|customers)$/.exec(p);
    if (listMatch) {
      sendJson(res, 200, listEntities(seed, listMatch[1] as CardType));
      return;
    }

    // What the relay's HTTP adapter calls (click-to-call): the simulated PBX rings the extension.
    if (p === '/sandbox/pbx/originate') {
      await originateEndpoint(req, res);
      return;
    }

    if (p === '/sandbox/pbx') {
      if (method === 'GET') {
        sendJson(res, 200, { calls: pbx.calls() });
        return;
      }
      if (method !== 'POST') {
        send(res, 405, 'GET or POST\n');
        return;
      }
      const body = await readJson(req);
      const call = await pbx.apply(body as unknown as PbxAction);
      sendJson(res, 200, { call });
      return;
    }

    if (p === '/sandbox/crm/faults' && method === 'POST') {
      const faults = parseFaults(await readJson(req));
      crm.setFaults(faults);
      sendJson(res, 200, { faults });
      return;
    }
    // What the relay's call log put on each card (scripts/crm/timeline.ts).
    if (p === '/sandbox/timeline' && method === 'GET' && crm.handle(req, res)) return;
    if (p === '/sandbox/crm/log' && method === 'GET') {
      sendJson(res, 200, { requests: crm.requests, events: crm.events });
      return;
    }
    if (p === '/sandbox/relay/restart' && method === 'POST') {
      await restartRelay();
      sendJson(res, 200, { restarted: true });
      return;
    }

    if (p === '/sandbox/host.js') {
      // The Kommo double (scripts/sandbox/kommo/), compiled on the first request.
      send(res, 200, kommoDoubleScript(), TYPES['.js']);
      return;
    }

    if (p.startsWith('/sandbox/')) {
      if (serveFile(res, PUBLIC_DIR, p.slice('/sandbox/'.length))) return;
      send(res, 404, 'not found\n');
      return;
    }

    if (p === '/favicon.ico') {
      send(res, 204, '');
      return;
    }

    if (method === 'GET' && PAGE_PATHS.some((re) => re.test(p))) {
      serveFile(res, PUBLIC_DIR, 'index.html');
      return;
    }
    send(res, 404, 'not found in the sandbox\n');
  };

  const pageServer = createServer((req, res) => {
    handlePage(req, res).catch((err: unknown) => {
      if (err instanceof PbxInputError) send(res, err.status, `${err.message}\n`);
      else {
        log(`request failed: ${(err as Error).stack ?? String(err)}`);
        send(res, 500, 'sandbox error\n');
      }
    });
  });
  const pageSockets = trackSockets(pageServer);
  let pagePort: number;
  try {
    pagePort = await listen(pageServer, requestedPort, host);
  } catch (err) {
    await closeServer(relayServer, relaySockets);
    throw err;
  }
  pageUrl = `${scheme}://${hostPart}:${pagePort}/`;
  // A browser may name loopback either way.
  const origins = [...new Set([new URL(pageUrl).origin, ...(publicHost === '127.0.0.1' ? [`${scheme}://localhost:${pagePort}`] : [])])];
  relayOptions = {
    ...(legacyToken ? { token: tokens.token } : {}),
    pbxToken: tokens.pbxToken,
    ...(opts.tickets === false
      ? {}
      : { auth: { kommoSecret: SANDBOX_INTEGRATION.secret, accountId: SANDBOX_ACCOUNT.id, origins, users: sandboxUsersMap(), ticketSecret: randomBytes(32).toString('base64url') } }),
    ...(opts.verbose ? { log: (message: string, context?: Record<string, unknown>) => log(`${message} ${context ? JSON.stringify(context) : ''}`) } : {}),
  };
  // With https the relay's adapter (Node's fetch) would refuse the self-signed certificate: it
  // reaches the PBX's originate endpoint on a loopback plain-HTTP listener instead.
  const originateListener = tls ? await listenOnLoopback(originateEndpoint, log) : null;
  const originateUrl = originateListener?.url ?? new URL('/sandbox/pbx/originate', pageUrl).href;
  // Click-to-call through the generic HTTP adapter to the simulated PBX's endpoint. A fresh
  // adapter for each relay, as a restarted relay process makes its own (a relay closes its adapter).
  // The relay's call log writes to the simulated CRM's v4 API with its token, as to Kommo. With
  // https, Node's fetch would refuse the self-signed certificate: a loopback listener again.
  const crmListener = opts.callLog !== false && tls ? await listenCrm(crm) : null;
  const callLogApiUrl = crmListener?.url ?? new URL(pageUrl).origin;
  const unknownCallers = parseUnknownCallers(DEFAULT_UNKNOWN_CALLERS);
  const callLogConfig =
    opts.callLog === false || !unknownCallers.ok
      ? null
      : { source: 'Sandbox PBX', unknownCallers: unknownCallers.policy, callBackTask: { delayMs: 30 * 60_000, closeOnAnsweredCall: true }, settleMs: opts.callLog?.settleMs ?? 1000 };
  // One outbox across relay restarts, as a relay process keeps its data directory's.
  const callLogOutbox = new MemoryOutbox();
  const newRelay = (): Relay =>
    createRelay({
      ...relayOptions,
      ...(callLogConfig === null ? {} : { callLog: { api: createKommoApi({ baseUrl: callLogApiUrl, token: DEFAULT_API_TOKEN }), config: callLogConfig, outbox: callLogOutbox } }),
      ...(opts.realPbx === undefined ? {} : { pbxSource: opts.realPbx.source() }),
      originate: {
        adapter: opts.realPbx?.originate() ?? createHttpAdapter({ url: originateUrl, token: tokens.originateToken, timeoutMs: 5000 }),
        ...(opts.originateIntervalMs === undefined ? {} : { intervalMs: opts.originateIntervalMs }),
      },
    });
  relay = newRelay();
  log(`relay originates calls (click-to-call) through ${opts.realPbx === undefined ? originateUrl : 'the real PBX'}`);
  if (callLogConfig !== null) log(`relay logs every call on the CRM's cards (${callLogApiUrl}/api/v4/calls; GET /sandbox/timeline)`);

  let restarting: Promise<void> | null = null;
  async function restartRelay(restart: { downMs?: number } = {}): Promise<void> {
    if (restarting) return restarting;
    restarting = (async () => {
      await relay.close();
      await closeServer(relayServer, relaySockets);
      if (restart.downMs) await new Promise((resolve) => setTimeout(resolve, restart.downMs));
      relay = newRelay();
      relayServer = createServer(relayHandler);
      relayServer.on('upgrade', onRelayUpgrade);
      relaySockets = trackSockets(relayServer);
      await listen(relayServer, relayPort, host);
      log(`relay restarted on ${relayUrl}`);
    })().finally(() => {
      restarting = null;
    });
    return restarting;
  }

  let closed = false;
  return {
    url: pageUrl,
    relayUrl,
    wsUrl,
    pollUrl,
    tokens,
    kommo: { secret: SANDBOX_INTEGRATION.secret, accountId: SANDBOX_ACCOUNT.id, origins },
    ...(tls ? { certificate: tls.cert } : {}),
    get relay() {
      return relay;
    },
    crm,
    pbx,
    restartRelay,
    async close() {
      if (closed) return;
      closed = true;
      if (restarting) await restarting.catch(() => {});
      await relay.close();
      await Promise.all([closeServer(relayServer, relaySockets), closeServer(pageServer, pageSockets), originateListener?.close(), crmListener?.close()]);
    },
  };
}

/** Only the CRM's documented fault switches, each checked: anything else is a 400 with the reason. */
function parseFaults(body: Record<string, unknown>): CrmFaults {
  const faults: CrmFaults = {};
  for (const [key, value] of Object.entries(body)) {
    switch (key) {
      case 'delayMs':
      case 'retryAfterS':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 600_000) throw new PbxInputError(`${key} must be a number from 0 to 600000`);
        faults[key] = value;
        break;
      case 'status':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 599) throw new PbxInputError('status must be an HTTP status (100..599)');
        faults.status = value;
        break;
      case 'hang':
      case 'garbage':
        if (typeof value !== 'boolean') throw new PbxInputError(`${key} must be true or false`);
        faults[key] = value;
        break;
      case 'noMatch':
        if (value !== 204 && value !== 'empty_items' && value !== 'empty_array') throw new PbxInputError('noMatch must be 204, "empty_items" or "empty_array"');
        faults.noMatch = value;
        break;
      default:
        throw new PbxInputError(`unknown fault "${key}" (delayMs, status, retryAfterS, garbage, hang, noMatch)`);
    }
  }
  return faults;
}

function readManifestVersion(widgetDir: string): string {
  for (const file of [path.join(widgetDir, 'manifest.json'), path.join(ROOT, 'manifest.json')]) {
    try {
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { widget?: { version?: string } };
      if (manifest.widget?.version) return manifest.widget.version;
    } catch {
      // next candidate
    }
  }
  return '0.0.0';
}

