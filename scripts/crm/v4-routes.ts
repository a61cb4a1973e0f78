/**
 * The fixture CRM's v4 API (Kommo's server API for a private integration,
 * shared/spec/kommo-platform.md "The API from a server"): routing, the gate (token,
 * rate limits: v4-gate.ts), reading bodies, then the pure route modules and `applyEffects`.
 *
 *   POST  /api/v4/calls                  v4-calls.ts
 *   POST  /api/v4/leads/unsorted/sip     v4-unsorted.ts
 *   GET   /api/v4/contacts?query=        v4-contacts.ts
 *   POST  /api/v4/contacts
 *   GET   /api/v4/{leads|contacts|companies|customers}/{id}   v4-cards.ts
 *   GET   /api/v4/tasks?filter[...]      v4-tasks.ts
 *   POST  /api/v4/tasks
 *   PATCH /api/v4/tasks
 *   GET   /api/v4/users                  v4-users.ts
 * An unknown path is 404 and a wrong method 405 before the token is looked at; the write
 * routes take a non-empty JSON array. The parsed body is kept on the request's log entry.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CrmAccount } from './account';
import { readBody } from './http-io';
import { problem } from './v4-answer';
import type { V4Answer } from './v4-answer';
import { cardAnswer, findCard } from './v4-cards';
import { planCalls } from './v4-calls';
import { contactsAnswer, planContacts } from './v4-contacts';
import { FRESH_GATE, gateV4 } from './v4-gate';
import type { GateLimits, GateState } from './v4-gate';
import { applyEffects, clearV4State, createV4State } from './v4-state';
import type { V4Outcome, V4State } from './v4-state';
import { planTasksAdd, planTasksUpdate, tasksAnswer } from './v4-tasks';
import { planUnsorted } from './v4-unsorted';
import { usersAnswer } from './v4-users';
import { parseTimelineKey } from './timeline';
import type { CardType } from './timeline';

type RouteName = 'calls' | 'unsorted' | 'contacts' | 'card' | 'tasks' | 'users';

const ROUTES: ReadonlyArray<{ pattern: RegExp; methods: readonly string[]; name: RouteName }> = [
  { pattern: /^\/api\/v4\/calls\/?$/, methods: ['POST'], name: 'calls' },
  { pattern: /^\/api\/v4\/leads\/unsorted\/sip\/?$/, methods: ['POST'], name: 'unsorted' },
  { pattern: /^\/api\/v4\/contacts\/?$/, methods: ['GET', 'POST'], name: 'contacts' },
  { pattern: /^\/api\/v4\/(leads|contacts|companies|customers)\/(\d+)\/?$/, methods: ['GET'], name: 'card' },
  { pattern: /^\/api\/v4\/tasks\/?$/, methods: ['GET', 'POST', 'PATCH'], name: 'tasks' },
  { pattern: /^\/api\/v4\/users\/?$/, methods: ['GET'], name: 'users' },
];

export interface V4Limits extends GateLimits {
  /** How GET /api/v4/{type}/{id} answers a missing id (default 404). */
  missingCard?: 204 | 404;
}

export interface V4ApiOptions {
  account: CrmAccount;
  apiToken: string;
  accountId: number;
  /** ms since the epoch: the rate window and the `created_at` of what is added. */
  now: () => number;
  /** The current faults' limits (read on every request). */
  limits: () => V4Limits;
  send: (res: ServerResponse, answer: V4Answer) => void;
}

export interface V4Api {
  /** Answers every /api/v4/ request (404 for an unknown path). `logged` is its log entry. */
  route(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, logged: { body?: unknown }): void;
  readonly state: V4State;
  /** The token requests must carry; null once revoked. */
  apiToken(): string | null;
  revokeApiToken(): void;
  /** The admin made a new token: requests must carry this one from now on. */
  issueApiToken(token: string): void;
  /** The rate-limit counters start again (the faults changed). */
  restartLimits(): void;
  /** A fresh v4 API: state cleared, token restored, counters restarted. */
  reset(): void;
  /** Every card's notes and the incoming leads (GET /sandbox/timeline). */
  timelineJson(): unknown;
}

export function createV4Api(opts: V4ApiOptions): V4Api {
  const state = createV4State();
  let token: string | null = opts.apiToken;
  let gate: GateState = FRESH_GATE;
  const nowS = () => Math.floor(opts.now() / 1000);

  const write = (req: IncomingMessage, res: ServerResponse, logged: { body?: unknown }, plan: (items: unknown[]) => V4Outcome): void => {
    readBody(req, (error, text) => {
      if (error) return opts.send(res, error === 'too_large' ? problem(413, 'body too large') : problem(400, 'body could not be read'));
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return opts.send(res, problem(400, 'body is not JSON'));
      }
      logged.body = body;
      if (!Array.isArray(body)) return opts.send(res, problem(400, 'body must be a JSON array'));
      if (body.length === 0) return opts.send(res, problem(400, 'body must not be an empty array'));
      const outcome = plan(body);
      if (outcome.effects) applyEffects(state, opts.account, outcome.effects);
      opts.send(res, outcome.answer);
    });
  };

  return {
    route(req, res, path, query, logged) {
      const method = req.method ?? 'GET';
      let found: { name: RouteName; match: RegExpExecArray } | null = null;
      for (const r of ROUTES) {
        const match = r.pattern.exec(path);
        if (!match) continue;
        if (!r.methods.includes(method)) return opts.send(res, problem(405, `${path} accepts ${r.methods.join(', ')}`, { Allow: r.methods.join(', ') }));
        found = { name: r.name, match };
        break;
      }
      if (!found) return opts.send(res, problem(404, `no route ${path} in the fixture CRM`));

      const limits = opts.limits();
      const decided = gateV4(gate, { authorization: req.headers.authorization, apiToken: token, rateLimit: limits.rateLimit, maxPerSecond: limits.maxPerSecond, now: opts.now() });
      gate = decided.state;
      if (decided.refused) return opts.send(res, decided.refused);

      const { account } = opts;
      switch (found.name) {
        case 'calls':
          return write(req, res, logged, (items) => planCalls(account, state, items, nowS(), opts.accountId));
        case 'unsorted':
          return write(req, res, logged, (items) => planUnsorted(account, state, items, nowS(), opts.accountId));
        case 'contacts':
          if (method === 'GET') return opts.send(res, contactsAnswer(account, query.get('query')));
          return write(req, res, logged, (items) => planContacts(account, state, items, nowS()));
        case 'card':
          return opts.send(res, cardAnswer(account, found.match[1] as CardType, Number(found.match[2]), limits.missingCard));
        case 'tasks':
          if (method === 'GET') return opts.send(res, tasksAnswer(state, query));
          if (method === 'POST') return write(req, res, logged, (items) => planTasksAdd(account, state, items, nowS()));
          return write(req, res, logged, (items) => planTasksUpdate(state, items, nowS()));
        case 'users':
          return opts.send(res, usersAnswer(account));
      }
    },
    state,
    apiToken: () => token,
    revokeApiToken() {
      token = null;
    },
    issueApiToken(next: string) {
      token = next;
    },
    restartLimits() {
      gate = FRESH_GATE;
    },
    reset() {
      clearV4State(state, opts.account);
      token = opts.apiToken;
      gate = FRESH_GATE;
    },
    timelineJson() {
      const cards = [...state.timeline.entries()].map(([key, notes]) => {
        const card = parseTimelineKey(key);
        const found = card ? findCard(opts.account, card.type, card.id) : undefined;
        return { key, entity_type: card?.type ?? null, entity_id: card?.id ?? null, name: found?.name ?? null, notes };
      });
      return { cards, unsorted: state.unsorted };
    },
  };
}
