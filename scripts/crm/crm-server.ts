/**
 * The project's fixture CRM: the two Kommo API routes the widget calls, over an in-memory
 * account, with switchable faults. The tests start it on 127.0.0.1; the sandbox server mounts
 * `createCrm(seed).handle` in front of its own routes.
 *
 *   GET  /api/v2/search/by_phone?phone=N (or query=N)  https://developers.kommo.com/docs/caller-id
 *        200 with one item, or 204 when nothing matches; 400 without digits.
 *   POST /api/v2/events  {"add": [{"type": "phone_call", "phone_number": "+1...", "users": [id]}]}
 *        https://developers.kommo.com/docs/call-event : recorded in `events`, answered with the
 *        matched element like Kommo's page shows (unmatched items carry no element).
 * Faults apply to every /api/ route until changed: `status` (+ `retryAfterS`), `garbage`
 * (200 with broken JSON), `hang` (never answers), `delayMs` (answers late), and `noMatch`
 * (how "nothing found" is answered: 204, 200 with empty items, or Kommo's bare `[]`).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CrmAccount } from './account';
import { digitsOf, matchCallEvent, searchByPhone } from './by-phone-algorithm';
import { createSeedAccount } from './seed';

export interface CrmFaults {
  delayMs?: number;
  status?: number;
  retryAfterS?: number;
  garbage?: boolean;
  hang?: boolean;
  noMatch?: 204 | 'empty_items' | 'empty_array';
}

export interface CrmRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface Crm {
  /** True when the request was an /api/ route (answered now or later); false: not ours. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  setFaults(faults: CrmFaults): void;
  readonly requests: CrmRequest[];
  /** Bodies of accepted POST /api/v2/events. */
  readonly events: unknown[];
  readonly account: CrmAccount;
  /** Clears requests, events and faults; drops hanging and delayed answers. */
  reset(): void;
}

const MAX_BODY_BYTES = 64 * 1024;

export function createCrm(seed: CrmAccount = createSeedAccount()): Crm {
  const requests: CrmRequest[] = [];
  const events: unknown[] = [];
  let faults: CrmFaults = {};
  const held = new Set<ServerResponse>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void => {
    held.delete(res);
    if (res.writableEnded || res.destroyed) return;
    if (body === undefined) {
      res.writeHead(status, headers).end();
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/hal+json; charset=utf-8', ...headers }).end(text);
  };

  const problem = (res: ServerResponse, status: number, detail: string, headers?: Record<string, string>): void =>
    send(res, status, { title: titleOf(status), status, detail }, headers);

  const byPhone = (req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void => {
    if (req.method !== 'GET') return problem(res, 405, 'by_phone accepts GET only', { Allow: 'GET' });
    const value = query.get('phone') ?? query.get('query');
    if (value === null) return problem(res, 400, 'phone (or query) parameter is required');
    if (digitsOf(value) === '') return problem(res, 400, `phone must contain digits, got ${JSON.stringify(value.slice(0, 40))}`);
    const body = searchByPhone(seed, value);
    if (body) return send(res, 200, body);
    if (faults.noMatch === 'empty_items') return send(res, 200, { _links: { self: { href: req.url, method: 'get' } }, _embedded: { items: [] } });
    if (faults.noMatch === 'empty_array') return send(res, 200, []);
    return send(res, 204);
  };

  const addEvents = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST') return problem(res, 405, 'events accepts POST only', { Allow: 'POST' });
    readBody(req, (error, text) => {
      if (error) return problem(res, error === 'too_large' ? 413 : 400, error === 'too_large' ? 'body too large' : 'body could not be read');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return problem(res, 400, 'body is not JSON');
      }
      const reason = eventsProblem(body);
      if (reason) return problem(res, 400, reason);
      events.push(body);
      const adds = (body as { add: Array<{ phone_number: string }> }).add;
      send(res, 200, {
        _links: { self: { href: '/api/v2/events/' } },
        _embedded: {
          items: adds.map((add) => ({
            ...(matchCallEvent(seed, add.phone_number) ?? {}),
            uid: randomUUID(),
            phone_number: add.phone_number,
            query_string: digitsOf(add.phone_number).slice(-8),
          })),
        },
      });
    });
  };

  const route = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void => {
    if (faults.hang) {
      held.add(res);
      return;
    }
    if (faults.status !== undefined || faults.retryAfterS !== undefined) {
      const status = faults.status ?? 429;
      const headers: Record<string, string> = faults.retryAfterS !== undefined ? { 'Retry-After': String(faults.retryAfterS) } : {};
      return problem(res, status, 'fault injected by the fixture CRM', headers);
    }
    if (faults.garbage) return send(res, 200, '{"_embedded": {"items": [{"id": 12, "type": ');
    if (path === '/api/v2/search/by_phone' || path === '/api/v2/search/by_phone/') return byPhone(req, res, query);
    if (path === '/api/v2/events' || path === '/api/v2/events/') return addEvents(req, res);
    return problem(res, 404, `no route ${path} in the fixture CRM`);
  };

  return {
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://crm.invalid');
      if (!url.pathname.startsWith('/api/')) return false;
      requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), at: Date.now() });
      const delay = faults.delayMs ?? 0;
      if (delay > 0) {
        held.add(res);
        const timer = setTimeout(() => {
          timers.delete(timer);
          route(req, res, url.pathname, url.searchParams);
        }, delay);
        timers.add(timer);
      } else {
        route(req, res, url.pathname, url.searchParams);
      }
      return true;
    },
    setFaults(next) {
      faults = { ...next };
    },
    requests,
    events,
    account: seed,
    reset() {
      faults = {};
      requests.length = 0;
      events.length = 0;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const res of held) res.destroy();
      held.clear();
    },
  };
}

/** A loopback server with only the CRM routes (tests). Port 0: the OS picks a free one. */
export async function startCrmServer(seed?: CrmAccount): Promise<{ url: string; crm: Crm; close(): Promise<void> }> {
  const crm = createCrm(seed);
  const server = createServer((req, res) => {
    if (!crm.handle(req, res)) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    crm,
    close: () =>
      new Promise<void>((resolve) => {
        crm.reset();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function eventsProblem(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be an object with "add"';
  const add = (body as { add?: unknown }).add;
  if (!Array.isArray(add) || add.length === 0) return '"add" must be a non-empty array';
  for (const [i, item] of add.entries()) {
    if (typeof item !== 'object' || item === null) return `add[${i}] must be an object`;
    const { type, phone_number: phone, users } = item as Record<string, unknown>;
    if (type !== 'phone_call') return `add[${i}].type must be "phone_call"`;
    if (typeof phone !== 'string' || digitsOf(phone) === '') return `add[${i}].phone_number must be a phone number`;
    if (!Array.isArray(users) || users.length === 0 || !users.every((u) => Number.isSafeInteger(u) && (u as number) > 0)) {
      return `add[${i}].users must be a non-empty array of user ids`;
    }
  }
  return null;
}

function readBody(req: IncomingMessage, done: (error: 'too_large' | 'read' | null, text: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (error: 'too_large' | 'read' | null, text = ''): void => {
    if (finished) return;
    finished = true;
    done(error, text);
  };
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      finish('too_large');
      req.resume();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => finish(null, Buffer.concat(chunks).toString('utf8')));
  req.on('error', () => finish('read'));
}

function titleOf(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
    413: 'Payload Too Large', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
  };
  return titles[status] ?? 'Error';
}
