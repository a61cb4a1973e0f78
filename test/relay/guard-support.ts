/**
 * What the load and attack tests (flood, limits-*, slow-clients, descriptors) need beyond the
 * harness: WebSockets with the headers a proxy or a hostile page sends (`X-Forwarded-For`,
 * `Origin`), many anonymous sockets held open, a raw TCP socket that dribbles bytes. Everything
 * opened here is closed by `closeGuardSockets()` (afterEach).
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { waitUntil } from '../support/wait';
import type { Frame } from './harness';

const opened: Array<{ terminate(): void }> = [];

export function closeGuardSockets(): void {
  for (const socket of opened.splice(0)) socket.terminate();
}

export interface Watched {
  ws: WebSocket;
  frames: Frame[];
  /** The close code and reason once closed; null while open. */
  close: { code: number; reason: string } | null;
  /** The HTTP status of a refused upgrade. */
  refusedWith: number | null;
  send(frame: unknown): void;
  frame(type: string): Promise<Frame>;
  closed(): Promise<{ code: number; reason: string }>;
}

/** A WebSocket that records what it gets; resolves once open, or once its upgrade was refused. */
export async function watchedSocket(url: string, headers: Record<string, string> = {}): Promise<Watched> {
  const ws = new WebSocket(url, { headers });
  opened.push(ws);
  const watched: Watched = {
    ws,
    frames: [],
    close: null,
    refusedWith: null,
    send: (frame) => ws.send(JSON.stringify(frame)),
    async frame(type) {
      await waitUntil(`frame ${type}`, () => watched.frames.some((f) => f.type === type) || watched.close !== null, { timeoutMs: 10_000 });
      const found = watched.frames.find((f) => f.type === type);
      if (found === undefined) throw new Error(`closed (${JSON.stringify(watched.close)}) before a ${type} frame; got ${JSON.stringify(watched.frames)}`);
      return found;
    },
    async closed() {
      await waitUntil('socket close', () => watched.close !== null, { timeoutMs: 15_000 });
      return watched.close as { code: number; reason: string };
    },
  };
  ws.on('message', (data) => watched.frames.push(JSON.parse(String(data)) as Frame));
  ws.on('close', (code, reason) => {
    watched.close = { code, reason: String(reason) };
  });
  ws.on('error', () => {});
  await new Promise<void>((resolve) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => {
      watched.refusedWith = res.statusCode ?? null;
      resolve();
    });
    ws.once('error', () => resolve());
  });
  return watched;
}

/** `count` sockets that open and never say a word (an attacker's), all open when this resolves. */
export async function anonymousSockets(url: string, count: number, headers: Record<string, string> = {}): Promise<Watched[]> {
  const sockets: Watched[] = [];
  // In waves: the test process opens them no faster than the relay accepts them.
  for (let i = 0; i < count; i += 100) sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => watchedSocket(url, headers)))));
  return sockets;
}

/** A raw TCP connection to the relay, recording what it receives and when it was cut. */
export interface RawConnection {
  socket: Socket;
  received(): string;
  closedAt: number | null;
}

export async function rawConnection(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  opened.push({ terminate: () => socket.destroy() });
  let text = '';
  const raw: RawConnection = { socket, received: () => text, closedAt: null };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.on('close', () => (raw.closedAt = Date.now()));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return raw;
}

/** Writes `text` one byte every `everyMs` until it is all sent or the connection is cut. */
export function dribble(raw: RawConnection, text: string, everyMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (raw.closedAt !== null || at >= text.length) return clearInterval(timer);
    raw.socket.write(text[at] as string);
    at += 1;
  }, everyMs);
  opened.push({ terminate: () => clearInterval(timer) });
}
