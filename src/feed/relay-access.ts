/**
 * The leader's access to the relay ("Authentication (version 2)" in docs/call-feed-protocol.md):
 * a ticket for the signed-in Kommo user, fetched with Kommo's one-time token (the platform's
 * `$authorizedAjax`), renewed at 80 % of its life, and renewed at once when the relay refuses
 * it; or, with a relay that issues no tickets, the shared token setting (version 1). A new
 * leader starts with the ticket the previous one shared when it lasts (ticket-handover.ts).
 * `accessFrom` decides from one answer; `createRelayAccess` owns the one timer and the request.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { isRecord } from '../protocol/record';
import { createSingleTimer } from '../core/timer';
import { backoffDelay, reconnectDelay } from './backoff';
import type { FeedCredentials } from './credentials';
import { heldFrom, RENEW_AT } from './ticket-handover';
import type { HeldTicket } from './ticket-handover';

/** The ticket endpoint's answer as the page saw it; status 0: no HTTP answer the page could read (down, CORS). */
export interface TicketAnswer {
  status: number;
  body: unknown;
}

export type TicketPost = (url: string) => Promise<TicketAnswer>;

export type Access =
  | { mode: 'ticket'; ticket: string; expiresInMs: number; extensions: string[] }
  /** No tickets here (a version-1 relay): the shared token setting. */
  | { mode: 'token' }
  /** `signin-refused`: the relay refused Kommo's token (its Kommo settings are wrong); `no-tickets`: no tickets and no token setting. */
  | { mode: 'refused'; reason: 'signin-refused' | 'no-tickets' }
  /** No usable answer (the relay is down): ask again. */
  | { mode: 'retry' };

const MAX_EXTENSIONS = 50;

function ticketFrom(body: unknown): Extract<Access, { mode: 'ticket' }> | null {
  if (!isRecord(body) || typeof body.ticket !== 'string' || body.ticket === '' || body.ticket.length > 4096) return null;
  const ttl = body.expires_in;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) return null;
  const list = body.extensions;
  if (!Array.isArray(list) || list.length > MAX_EXTENSIONS || !list.every((e) => typeof e === 'string' && e !== '' && e.length <= 64)) return null;
  return { mode: 'ticket', ticket: body.ticket, expiresInMs: Math.min(ttl, 24 * 3600) * 1000, extensions: list as string[] };
}

/** One answer of `POST <relay>/ticket`, and whether the settings have a shared token to fall back on. */
export function accessFrom(answer: TicketAnswer, hasToken: boolean): Access {
  if (answer.status === 200) return ticketFrom(answer.body) ?? (hasToken ? { mode: 'token' } : { mode: 'retry' });
  // 404/405: a relay without tickets (version 1, or the reference relay with --token only).
  if (answer.status === 404 || answer.status === 405) return hasToken ? { mode: 'token' } : { mode: 'refused', reason: 'no-tickets' };
  if (answer.status === 401 || answer.status === 403) return hasToken ? { mode: 'token' } : { mode: 'refused', reason: 'signin-refused' };
  // Nothing readable: down, or a version-1 relay answering 404 without CORS. With a token,
  // use it; a ticket relay refuses it (4401) and the renewal asks for a ticket again.
  return hasToken ? { mode: 'token' } : { mode: 'retry' };
}

export interface RelayAccessDeps {
  ticketUrl: string;
  post: TicketPost;
  /** The shared token setting ('' when empty). */
  token: string;
  clock: Clock;
  logger: Logger;
  random: () => number;
  /** Nobody looks at this tab (and it serves no other): retries back off. */
  hidden(): boolean;
  /** A ticket the previous leader handed over (ticket-handover.ts `adoptTicket`): used at once, renewed then. */
  handedOver?: { held: HeldTicket; renewInMs: number } | null;
}

export interface RelayAccess {
  /** Fetches the first ticket; `ready` gets the first usable access (ticket, token or refused). */
  start(ready: (access: Exclude<Access, { mode: 'retry' }>) => void): void;
  readonly credentials: FeedCredentials;
  /** The ticket in use, with its expiry (to share with the other tabs); null with the shared token. */
  held(): HeldTicket | null;
  stop(): void;
}

export function createRelayAccess(deps: RelayAccessDeps): RelayAccess {
  const timer = createSingleTimer(deps.clock);
  let current: Exclude<Access, { mode: 'retry' }> | null = null;
  let held: HeldTicket | null = null;
  let inFlight = false;
  let stopped = false;
  let failures = 0;
  let onReady: ((access: Exclude<Access, { mode: 'retry' }>) => void) | null = null;
  const waiting: Array<() => void> = [];
  const renewed = new Set<() => void>();

  const retryIn = () => (deps.hidden() ? backoffDelay(failures, deps.random) : reconnectDelay('none', failures, deps.random));

  function settle(next: Access, fromRenewal: boolean): void {
    if (next.mode === 'retry') {
      failures += 1;
      // Keep what works meanwhile (a ticket still valid); ask again soon.
      timer.set(retryIn(), () => ask(fromRenewal));
      if (current === null) return;
    } else {
      failures = 0;
      if (next.mode === 'ticket') {
        if (current?.mode === 'ticket' && current.extensions.join() !== next.extensions.join()) {
          deps.logger.warn("feed: the relay changed this user's extensions; they apply at the next page load", { was: current.extensions, now: next.extensions });
        }
        timer.set(next.expiresInMs * RENEW_AT, () => ask(true));
      }
      const first = current === null;
      current = next;
      held = next.mode === 'ticket' ? heldFrom(next, deps.clock.now()) : null;
      if (first) onReady?.(next);
      else if (fromRenewal && next.mode === 'ticket') for (const handler of [...renewed]) handler();
    }
    for (const then of waiting.splice(0)) then();
  }

  function ask(fromRenewal: boolean): void {
    if (stopped || inFlight) return;
    inFlight = true;
    const done = (answer: TicketAnswer) => {
      inFlight = false;
      if (stopped) return;
      const next = accessFrom(answer, deps.token !== '');
      if (next.mode === 'refused' || (next.mode === 'token' && answer.status !== 404 && answer.status !== 405)) {
        deps.logger.warn('feed: no ticket from the relay', { status: answer.status, using: next.mode === 'token' ? 'the shared token' : next.reason });
      }
      settle(next, fromRenewal);
    };
    try {
      deps.post(deps.ticketUrl).then(done, () => done({ status: 0, body: null }));
    } catch {
      done({ status: 0, body: null });
    }
  }

  const credentials: FeedCredentials = {
    current: () => (current?.mode === 'ticket' ? { kind: 'ticket', ticket: current.ticket } : { kind: 'token', token: deps.token }),
    renew() {
      timer.clear();
      ask(false);
    },
    whenReady(then) {
      if (inFlight) waiting.push(then);
      else then();
    },
    onRenewed(handler) {
      renewed.add(handler);
      return () => renewed.delete(handler);
    },
  };

  return {
    start(ready) {
      onReady = ready;
      const handed = deps.handedOver;
      if (!handed) return ask(false);
      current = handed.held.access;
      held = handed.held;
      timer.set(handed.renewInMs, () => ask(true));
      ready(handed.held.access);
    },
    credentials,
    held: () => held,
    stop() {
      stopped = true;
      timer.clear();
      waiting.length = 0;
      renewed.clear();
    },
  };
}
