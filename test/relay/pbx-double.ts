/**
 * A PBX's originate endpoint for the click-to-call tests: a real HTTP server on 127.0.0.1, port 0,
 * that records every request it gets and answers as the test says (a status and a body, or never:
 * `hang`, until `release`); a port that refuses, a server that answers garbage. `stopDoubles()`
 * (afterEach) closes them all, cutting held requests.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface PbxRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as received (the relay's JSON, as text). */
  text: string;
}

/** What the double answers: a status with a JSON body (or raw text), or nothing at all. */
export type PbxAnswer = { status: number; body?: unknown; raw?: string } | 'hang';

export interface PbxDouble {
  /** `http://127.0.0.1:<port>/originate` */
  url: string;
  received: PbxRequest[];
  /** The requests it holds unanswered (`hang`). */
  held(): number;
  /** Answers every held request with `answer`. */
  release(answer: { status: number; body?: unknown }): void;
  close(): Promise<void>;
}

const closers: Array<() => Promise<void>> = [];

function send(res: ServerResponse, answer: { status: number; body?: unknown; raw?: string }): void {
  const text = answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
  res.writeHead(answer.status, { 'Content-Type': answer.raw === undefined ? 'application/json' : 'text/plain' });
  res.end(text);
}

export async function pbxDouble(answer: (request: PbxRequest) => PbxAnswer = () => ({ status: 200, body: {} })): Promise<PbxDouble> {
  const received: PbxRequest[] = [];
  const holding: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, text: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      const decided = answer(request);
      if (decided === 'hang') holding.push(res);
      else send(res, decided);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed = false;
  const double: PbxDouble = {
    url: `http://127.0.0.1:${port}/originate`,
    received,
    held: () => holding.filter((res) => !res.writableEnded && !res.destroyed).length,
    release(answer) {
      for (const res of holding.splice(0)) if (!res.destroyed) send(res, answer);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  closers.push(double.close);
  return double;
}

export async function stopDoubles(): Promise<void> {
  await Promise.all(closers.splice(0).map((close) => close()));
}

/** A loopback URL nothing listens on (a port just freed): connecting to it is refused. */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/originate`;
}

/** A loopback server that answers any connection with bytes that are not HTTP, then hangs up. */
export async function garbageUrl(): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.end('this is not HTTP at all\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${port}/originate`;
}
