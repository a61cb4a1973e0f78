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
 *   /api/v4/...  Kommo's server API for a private integration (calls, incoming leads, contacts,
 *        cards, tasks, users): v4-routes.ts. It needs `Authorization: Bearer <apiToken>`; the v2
 *        routes (the browser's session) do not. What it adds goes on the cards' timelines.
 *   GET  /sandbox/timeline  (not an /api/ route, read-only): every card's timeline as JSON.
 * Faults apply to every /api/ route until changed: `status` (+ `retryAfterS`), `garbage`
 * (200 with broken JSON), `hang` (never answers), `delayMs` (answers late), and `noMatch`
 * (how "nothing found" is answered: 204, 200 with empty items, or Kommo's bare `[]`).
 * v4 only: `rateLimit` (429 to a deterministic share), `maxPerSecond` (Kommo's real limit, a
 * sliding 1 s window on the injected clock, Date.now() by default), `missingCard: 204`.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CrmAccount } from './account';
import { digitsOf, matchCallEvent, searchByPhone } from './by-phone-algorithm';
import { readBody, titleOf } from './http-io';
import { createSeedAccount } from './seed';
import type { CardType, TimelineNote } from './timeline';
import { timelineKey } from './timeline';
import { limitsProblem } from './v4-gate';
import type { RateLimitFault } from './v4-gate';
import { createV4Api } from './v4-routes';
import type { CrmCall, CrmTask, CrmUnsorted } from './v4-state';

/** The private integration's token the v4 routes accept unless createCrm is given another. */
export const DEFAULT_API_TOKEN = 'sandbox-api-token';
/** The account id v4 answers carry: the sandbox account's (scripts/sandbox/users.ts). */
export const DEFAULT_ACCOUNT_ID = 31000001;

export interface CrmOptions {
  apiToken?: string;
  accountId?: number;
  /** ms since the epoch (default Date.now): request times, the v4 rate window, v4 `created_at`. */
  now?: () => number;
}

export interface CrmFaults {
  delayMs?: number;
  status?: number;
  retryAfterS?: number;
  garbage?: boolean;
  hang?: boolean;
  noMatch?: 204 | 'empty_items' | 'empty_array';
  /** v4: 429 (Retry-After: 1) to every Nth authorized request, or a seeded fraction of them. */
  rateLimit?: RateLimitFault;
  /** v4: Kommo's limit (KOMMO_MAX_PER_SECOND = 7): 429 past this many requests in 1 s. */
  maxPerSecond?: number;
  /** v4: GET /api/v4/{type}/{id} of a missing id answers 204 instead of 404. */
  missingCard?: 204;
}

export interface CrmRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Date.now() (the injected clock) when the request arrived. */
  at: number;
  /** v4 writes: the parsed JSON body. */
  body?: unknown;
}

export interface Crm {
  /** True when the request was an /api/ route (answered now or later); false: not ours. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  setFaults(faults: CrmFaults): void;
  readonly requests: CrmRequest[];
  /** Bodies of accepted POST /api/v2/events. */
  readonly events: unknown[];
  readonly account: CrmAccount;
  /** The token v4 requests must carry (null once revoked). */
  readonly apiToken: string | null;
  /** Every v4 request is 401 from now on (until reset). */
  revokeApiToken(): void;
  /** A new token replaces the old one (the admin made one in Kommo's integration settings). */
  issueApiToken(token: string): void;
  /** Accepted POST /api/v4/calls, each with the card it was filed on. */
  readonly calls: CrmCall[];
  readonly tasks: CrmTask[];
  /** Incoming leads from POST /api/v4/leads/unsorted/sip. */
  readonly unsorted: CrmUnsorted[];
  /** What the v4 API put on one card, oldest first. */
  timeline(entityType: CardType, id: number): TimelineNote[];
  /** Clears requests, events, faults and the v4 state (calls, tasks, incoming leads, timelines,
   *  contacts it added; the token is valid again); drops hanging and delayed answers. */
  reset(): void;
}

export function createCrm(seed: CrmAccount = createSeedAccount(), options: CrmOptions = {}): Crm {
  const now = options.now ?? Date.now;
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

  const v4 = createV4Api({
    account: seed,
    apiToken: options.apiToken ?? DEFAULT_API_TOKEN,
    accountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
    now,
    limits: () => faults,
    send: (res, answer) => send(res, answer.status, answer.body, answer.headers),
  });

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

  const route = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, logged: CrmRequest): void => {
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
    if (path.startsWith('/api/v4/')) return v4.route(req, res, path, query, logged);
    return problem(res, 404, `no route ${path} in the fixture CRM`);
  };

  return {
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://crm.invalid');
      if (url.pathname === '/sandbox/timeline') {
        if (req.method !== 'GET') problem(res, 405, 'the timeline is read-only: GET', { Allow: 'GET' });
        else send(res, 200, v4.timelineJson(), { 'Content-Type': 'application/json; charset=utf-8' });
        return true;
      }
      if (!url.pathname.startsWith('/api/')) return false;
      const logged: CrmRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), at: now() };
      requests.push(logged);
      const delay = faults.delayMs ?? 0;
      if (delay > 0) {
        held.add(res);
        const timer = setTimeout(() => {
          timers.delete(timer);
          route(req, res, url.pathname, url.searchParams, logged);
        }, delay);
        timers.add(timer);
      } else {
        route(req, res, url.pathname, url.searchParams, logged);
      }
      return true;
    },
    setFaults(next) {
      const reason = limitsProblem(next);
      if (reason) throw new RangeError(`setFaults: ${reason}`);
      faults = { ...next };
      v4.restartLimits();
    },
    requests,
    events,
    account: seed,
    get apiToken() {
      return v4.apiToken();
    },
    revokeApiToken: () => v4.revokeApiToken(),
    issueApiToken: (token: string) => v4.issueApiToken(token),
    calls: v4.state.calls,
    tasks: v4.state.tasks,
    unsorted: v4.state.unsorted,
    timeline: (entityType, id) => [...(v4.state.timeline.get(timelineKey(entityType, id)) ?? [])],
    reset() {
      faults = {};
      v4.reset();
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
export async function startCrmServer(seed?: CrmAccount, options?: CrmOptions): Promise<{ url: string; crm: Crm; close(): Promise<void> }> {
  return listenCrm(createCrm(seed, options));
}

/** Serves a CRM on its own loopback port (127.0.0.1, a port the OS picks); `close()` also resets it. */
export async function listenCrm(crm: Crm): Promise<{ url: string; crm: Crm; close(): Promise<void> }> {
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
