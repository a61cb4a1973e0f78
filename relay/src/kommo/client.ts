/**
 * The relay's Kommo API client (issue 16): KommoApi (types.ts) over Kommo's REST API v4 with a
 * private integration's long-lived token (../shared/spec/kommo-platform.md, "The API from a
 * server"). Each method is one request (completeTasks: one per 50 tasks) through the limiter,
 * with Kommo's own paths and bodies; answers are read by answers.ts, failures are KommoApiError.
 *
 * Kommo's `errors` texts are not specified: the wording this client expects for "the number
 * matched no card" and "this uniq already exists" is an assumption, matched loosely and in one
 * place (answers.ts, `meaningOf`, whose header lists it). A 400/422 refusing a whole POST of a
 * call or an incoming lead is read the same way (the spec: Kommo "may refuse a repeated uniq").
 */
import type { KommoEntity } from '../calllog/types';
import type { Read } from './answers';
import { idOf, meaningOf, problemText, readCreatedId, readFoundContact, readLoggedCall, readOpenTasks, readResponsible, readUnsorted } from './answers';
import { createWriteBatcher, ENTITIES_PER_WRITE } from './write-batcher';
import { createKommoHttp } from './http';
import type { KommoRequest } from './http';
import { createKommoLimiter } from './limiter';
import type { KommoLimiter } from './limiter';
import type { CallFiled, KommoApi, KommoCallBody, KommoUnsortedSipBody } from './types';

export interface KommoApiOptions {
  /** The account: `https://<subdomain>.kommo.com` (http only for a loopback host: tests, the sandbox). */
  baseUrl: string;
  /** The private integration's long-lived token. */
  token: string;
  /** Default: Node's global fetch. */
  fetch?: typeof fetch;
  /** Per request, the answer's body included (default 10 s). */
  timeoutMs?: number;
  /** One per integration: Kommo's limit counts the token, not the client (default: a new one, 6/s). */
  limiter?: KommoLimiter;
  log?: (message: string, context?: Record<string, unknown>) => void;
  /** Wall-clock ms, for a Retry-After given as a date (default Date.now). */
  now?: () => number;
}

export const KOMMO_TIMEOUT_MS = 10_000;
const ENTITY_TYPES: ReadonlySet<string> = new Set<KommoEntity['type']>(['leads', 'contacts', 'companies', 'customers']);

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** The base URL as the client uses it; an Error naming the setting and what is wrong. */
export function checkKommoBaseUrl(baseUrl: string): URL {
  const expected = 'must be the account\'s https://<subdomain>.kommo.com (http only for a loopback host)';
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`Kommo baseUrl ${expected}, got ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) throw new Error(`Kommo baseUrl ${expected}, got ${JSON.stringify(baseUrl)}`);
  if (url.username !== '' || url.password !== '') throw new Error('Kommo baseUrl must not carry credentials (user:password@): the token is the credential');
  if (url.search !== '' || url.hash !== '') throw new Error(`Kommo baseUrl must have no query or fragment, got ${JSON.stringify(baseUrl)}`);
  return url;
}

function checkToken(token: string): string {
  // Visible ASCII only: anything else fails in fetch's header check, whose message quotes the value.
  if (typeof token !== 'string' || !/^[\x21-\x7e]{8,}$/.test(token)) throw new Error('Kommo token must be the private integration\'s long-lived token (8 or more visible ASCII characters, no spaces)');
  return token;
}

export function createKommoApi(options: KommoApiOptions): KommoApi {
  const baseUrl = checkKommoBaseUrl(options.baseUrl);
  const token = checkToken(options.token);
  const timeoutMs = options.timeoutMs ?? KOMMO_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw new RangeError(`createKommoApi: timeoutMs must be a positive integer, got ${String(timeoutMs)}`);
  const log = options.log ?? (() => {});
  const http = createKommoHttp({
    baseUrl,
    token,
    fetch: options.fetch ?? fetch,
    timeoutMs,
    limiter: options.limiter ?? createKommoLimiter(),
    now: options.now ?? Date.now,
    log,
  });

  /** A reader's verdict, or its failure as the request's KommoApiError. */
  function value<T>(request: KommoRequest, status: number, read: Read<T>): T {
    if (read.ok) return read.value;
    throw http.error(request, read.kind, read.detail, status);
  }

  /** A bad card or task id is refused before anything is sent (status null): no request could fix it. */
  function notSent(method: KommoRequest['method'], path: string, what: string, value: unknown): never {
    throw http.error({ method, path }, 'refused', `not sent: not a Kommo ${what} ${JSON.stringify(value)}`, null);
  }

  function checkCard(method: KommoRequest['method'], path: string, entity: KommoEntity): void {
    if (!ENTITY_TYPES.has(entity.type) || typeof entity.id !== 'number' || idOf(entity.id) === null) notSent(method, path, 'card', entity);
  }

  // One call's verdict in an answer to POST /api/v4/calls (a kept 400/422 is one call's: a batch's is split first).
  const logCall = createWriteBatcher<KommoCallBody, CallFiled>(http, '/api/v4/calls', (request, answer, call) => {
    if (answer.status === 400 || answer.status === 422) {
      const meaning = meaningOf(problemText(answer.body, answer.text));
      if (meaning === null) throw http.failure(request, answer);
      return { filed: meaning };
    }
    return value(request, answer.status, readLoggedCall(answer.body, call.request_id));
  });
  // Kommo validates an unsorted batch as a whole: a 2xx created every lead of it.
  const addUnsortedSip = createWriteBatcher<KommoUnsortedSipBody, { added: 'created' | 'duplicate' }>(http, '/api/v4/leads/unsorted/sip', (request, answer) => {
    if (answer.status === 400 || answer.status === 422) {
      if (meaningOf(problemText(answer.body, answer.text)) === 'duplicate') return { added: 'duplicate' };
      throw http.failure(request, answer);
    }
    return value(request, answer.status, readUnsorted(answer.body));
  });

  return {
    logCall: (call) => logCall(call),

    addUnsortedSip: (lead) => addUnsortedSip(lead),

    async findContact(phone) {
      const digits = phone.replace(/\D/g, '');
      // An empty query would list every contact: a number without digits matches none.
      if (digits === '') {
        log('kommo: a contact lookup without digits finds no contact', { phone });
        return null;
      }
      const request: KommoRequest = { method: 'GET', path: '/api/v4/contacts', query: `query=${digits}` };
      const answer = await http.send(request);
      return value(request, answer.status, readFoundContact(answer.body, digits));
    },

    async addContact(name, phone, responsibleUserId) {
      const contact = {
        name,
        ...(responsibleUserId === null ? {} : { responsible_user_id: responsibleUserId }),
        custom_fields_values: [{ field_code: 'PHONE', values: [{ value: phone, enum_code: 'WORK' }] }],
      };
      const request: KommoRequest = { method: 'POST', path: '/api/v4/contacts', body: [contact] };
      const answer = await http.send(request);
      return { id: value(request, answer.status, readCreatedId(answer.body, 'contacts')), type: 'contacts' };
    },

    async responsibleOf(entity) {
      checkCard('GET', '/api/v4/{type}/{id}', entity);
      const request: KommoRequest = { method: 'GET', path: `/api/v4/${entity.type}/${entity.id}` };
      const answer = await http.send(request, [404]);
      if (answer.status === 404) return null;
      return value(request, answer.status, readResponsible(answer.body));
    },

    async openCallTasks(entity) {
      checkCard('GET', '/api/v4/tasks', entity);
      const query = `filter[entity_type]=${entity.type}&filter[entity_id][]=${entity.id}&filter[is_completed]=0&filter[task_type][]=1`;
      const request: KommoRequest = { method: 'GET', path: '/api/v4/tasks', query };
      const answer = await http.send(request);
      return value(request, answer.status, readOpenTasks(answer.body));
    },

    async addTask(task) {
      const request: KommoRequest = { method: 'POST', path: '/api/v4/tasks', body: [task] };
      const answer = await http.send(request);
      return value(request, answer.status, readCreatedId(answer.body, 'tasks'));
    },

    async completeTasks(ids, resultText) {
      const bad = ids.find((id) => typeof id !== 'number' || idOf(id) === null);
      if (bad !== undefined) notSent('PATCH', '/api/v4/tasks', 'task id', bad);
      for (let at = 0; at < ids.length; at += ENTITIES_PER_WRITE) {
        const body = ids.slice(at, at + ENTITIES_PER_WRITE).map((id) => ({ id, is_completed: true, result: { text: resultText } }));
        await http.send({ method: 'PATCH', path: '/api/v4/tasks', body });
      }
    },
  };
}
