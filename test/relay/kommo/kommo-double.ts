/**
 * Kommo's API as the client's tests need it: a real HTTP server on 127.0.0.1, port 0, that
 * records every request (method, path, query, headers, JSON body) and answers as the test says:
 * a status with a JSON body, raw bytes, extra headers, or never (`hang`). A port nothing
 * listens on, for "connection refused". `stopKommoDoubles()` (afterEach) closes them all.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKommoApi, createKommoLimiter } from '../../../relay/src/kommo';
import type { KommoApi, KommoApiOptions } from '../../../relay/src/kommo';

export interface SeenRequest {
  method: string;
  /** The path without the query. */
  path: string;
  /** The query as sent (brackets and all). */
  rawQuery: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed (undefined when empty or not JSON). */
  json: unknown;
}

export type Reply = { status: number; body?: unknown; raw?: string; headers?: Record<string, string> } | 'hang';

export interface KommoDouble {
  /** `http://127.0.0.1:<port>`: the client's baseUrl. */
  url: string;
  received: SeenRequest[];
}

export const TOKEN = 'kommo-long-lived-token-SECRET-0123456789.abcdef';

const closers: Array<() => Promise<void>> = [];

function send(res: ServerResponse, reply: Exclude<Reply, 'hang'>): void {
  const text = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
  res.writeHead(reply.status, { 'Content-Type': reply.raw === undefined ? 'application/hal+json' : 'text/html', ...reply.headers });
  res.end(text);
}

/** A double answering each request with `answer(request)` (default: 200 `{}`). */
export async function kommoDouble(answer: (request: SeenRequest) => Reply = () => ({ status: 200, body: {} })): Promise<KommoDouble> {
  const received: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = req.url ?? '';
      const cut = target.indexOf('?');
      const rawQuery = cut === -1 ? '' : target.slice(cut + 1);
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      const request = { method: req.method ?? '', path: cut === -1 ? target : target.slice(0, cut), rawQuery, query: new URLSearchParams(rawQuery), headers: req.headers, text, json };
      received.push(request);
      const reply = answer(request);
      if (reply !== 'hang') send(res, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${port}`, received };
}

export async function stopKommoDoubles(): Promise<void> {
  await Promise.all(closers.splice(0).map((close) => close()));
}

/** A loopback base URL nothing listens on (a port just freed). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A client of `baseUrl` with a limiter that never holds a test back (1000 a second). */
export function clientOf(baseUrl: string, extra: Partial<KommoApiOptions> = {}): KommoApi {
  return createKommoApi({ baseUrl, token: TOKEN, limiter: createKommoLimiter({ rule: { perWindow: 1000 } }), ...extra });
}

/** The rejection of `promise` (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, it resolved');
}
