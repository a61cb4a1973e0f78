/**
 * The relay tests' widget and PBX: a relay on a loopback port with a clock the test moves, a PBX
 * that POSTs, a poller and WebSocket clients that record every frame. Everything a test starts
 * is stopped by `stopAll()` (afterEach).
 */
import { execFileSync } from 'node:child_process';
import { createSecretKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import { startRelay } from '../../relay/src';
import type { RelayOptions, RunningRelay } from '../../relay/src';
import type { AuthOptions } from '../../relay/src/auth/settings';
import { waitUntil } from '../support/wait';

const ROOT = path.resolve(__dirname, '..', '..');
/** The built relay as an operator runs it: `node dist/relay/relay/src/main.js`. */
export const BUILT_RELAY = path.join(ROOT, 'dist', 'relay', 'relay', 'src', 'main.js');

function newestSource(dir: string): number {
  return Math.max(
    0,
    ...fs.readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const at = path.join(dir, entry.name);
      if (entry.isDirectory()) return newestSource(at);
      return entry.name.endsWith('.ts') ? fs.statSync(at).mtimeMs : 0;
    }),
  );
}

/** `npm test` builds the relay first (pretest); a direct jest run builds it when it is missing or older than its sources. */
export function buildRelayIfStale(): void {
  const sources = Math.max(newestSource(path.join(ROOT, 'relay', 'src')), newestSource(path.join(ROOT, 'src', 'protocol')));
  if (!fs.existsSync(BUILT_RELAY) || fs.statSync(BUILT_RELAY).mtimeMs < sources) {
    execFileSync('npx', ['tsc', '-p', 'relay/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  }
}

/** The legacy shared widget token (tests of version 1 behaviour pass it as `token`). */
export const TOKEN = 'widget-token';
export const PBX = 'pbx-token';
export const T0 = 1_700_000_000_000;

/** A Kommo account as the relay's Kommo settings name it: user 1001 has 101, 1002 has 102, 1003 nothing. */
export const KOMMO = {
  secret: 'kommo-integration-secret-for-tests',
  accountId: 31000001,
  origin: 'https://acme.kommo.com',
  ticketSecret: 'relay-ticket-secret-for-tests',
  users: new Map<string, readonly string[]>([
    ['1001', ['101']],
    ['1002', ['102']],
    ['1003', []],
  ]),
} as const;

export function kommoAuth(extra: Partial<AuthOptions> = {}): AuthOptions {
  return { kommoSecret: KOMMO.secret, accountId: KOMMO.accountId, origins: [KOMMO.origin], users: KOMMO.users, ticketSecret: KOMMO.ticketSecret, ...extra };
}

/**
 * Kommo's one-time token as `$authorizedAjax` sends it, at `nowMs`: valid 10 minutes, for user
 * 1001 of the account, unless `claims` say otherwise (a claim set to undefined is left out).
 */
export async function kommoJwt(nowMs: number, claims: Record<string, unknown> = {}, secret: string = KOMMO.secret): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const all: Record<string, unknown> = {
    iss: 'https://acme.kommo.com',
    aud: 'https://relay.example.com',
    jti: '5f0e1c7a-0b7e-4c43-9d7e-1f1f3f1b2c3d',
    iat,
    nbf: iat,
    exp: iat + 600,
    account_id: KOMMO.accountId,
    user_id: 1001,
    client_uuid: 'a6b2c1d0-1111-4222-8333-944455556666',
    ...claims,
  };
  const payload = Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(createSecretKey(Buffer.from(secret, 'utf8')));
}

/** `POST /ticket` as the widget's `$authorizedAjax` sends it. */
export async function postTicket(url: string, kommoToken: string | null, origin: string = KOMMO.origin): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { Origin: origin, ...(kommoToken === null ? {} : { 'X-Auth-Token': kommoToken }) };
  const res = await fetch(`${url}/ticket`, { method: 'POST', headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** A ticket for `userId`, got the widget's way (a Kommo token at the relay's clock, then POST /ticket). */
export async function ticketFor(t: TestRelay, userId: number | string = 1001): Promise<string> {
  const answer = await postTicket(t.r.url, await kommoJwt(t.clock.ms, { user_id: userId }));
  if (answer.status !== 200) throw new Error(`POST /ticket answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.ticket as string;
}

export type Frame = Record<string, unknown> & { type: string };
export type Wire = Record<string, unknown>;

export function event(callId: string, state: string, extension = '101', extra: Record<string, unknown> = {}): Wire {
  return { call_id: callId, state, direction: 'inbound', phone: '+14155550100', extension, ...extra };
}

const cleanups: Array<() => unknown> = [];

export async function stopAll(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export interface TestRelay {
  r: RunningRelay;
  clock: { ms: number };
  post(body: unknown): Promise<Response>;
  postJson(body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  poll(query: string): Promise<Record<string, unknown>>;
  client(subscribe?: unknown): Promise<TestClient>;
  /** Every entry the relay logged, as its command line would print it (message + context JSON). */
  logs: string[];
  close(): Promise<void>;
}

/** A relay on the legacy shared token unless `options` say otherwise (`{ token: undefined, auth: kommoAuth() }`). */
export async function relay(options: Partial<RelayOptions> = {}, clock = { ms: T0 }): Promise<TestRelay> {
  const logs: string[] = [];
  const log = (message: string, context?: Record<string, unknown>) => logs.push(`${message}${context === undefined ? '' : ` ${JSON.stringify(context)}`}`);
  const r = await startRelay({ token: TOKEN, pbxToken: PBX, port: 0, now: () => clock.ms, log, ...options });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await r.close();
  };
  cleanups.push(close);
  const post = (body: unknown) =>
    fetch(`${r.url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return {
    r,
    clock,
    post,
    async postJson(body) {
      const res = await post(body);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async poll(query) {
      const res = await fetch(`${r.url}/calls?${query}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      if (res.status !== 200) throw new Error(`poll answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    },
    client: (subscribe) => client(r.wsUrl, subscribe),
    logs,
    close,
  };
}

export interface TestClient {
  ws: WebSocket;
  frames: Frame[];
  send(frame: unknown): void;
  /** The nth frame of a type (1-based), waiting for it. */
  frame(type: string, nth?: number): Promise<Frame>;
  closed(): Promise<number>;
  closeCode(): number | null;
}

export function subscribeV2(extensions: string[] = ['101'], since?: { epoch: unknown; offset: unknown }): Wire {
  return { type: 'subscribe', v: 2, token: TOKEN, extensions, ...(since === undefined ? {} : { since }) };
}

export async function client(url: string, subscribe: unknown = { type: 'subscribe', token: TOKEN, extensions: ['101'] }): Promise<TestClient> {
  const ws = new WebSocket(url);
  cleanups.push(() => ws.terminate());
  const frames: Frame[] = [];
  let code: number | null = null;
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
  ws.on('close', (c) => {
    code = c;
  });
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const send = (frame: unknown) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  if (subscribe !== null) send(subscribe);
  const ofType = (type: string) => frames.filter((f) => f.type === type);
  return {
    ws,
    frames,
    send,
    async frame(type, nth = 1) {
      await waitUntil(`frame ${type} #${nth}`, () => ofType(type).length >= nth || code !== null, { timeoutMs: 10_000 });
      const found = ofType(type)[nth - 1];
      if (found === undefined) throw new Error(`socket closed (${code}) before frame ${type} #${nth}; got ${JSON.stringify(frames)}`);
      return found;
    },
    async closed() {
      await waitUntil('socket close', () => code !== null, { timeoutMs: 15_000 });
      return code as number;
    },
    closeCode: () => code,
  };
}

/** `call_id:state[:result]` of wire events, for readable assertions. */
export function brief(list: unknown): string[] {
  return (list as Wire[]).map((c) => [c.call_id, c.extension, c.state, c.result, c.expired ? 'expired' : undefined].filter((x) => x !== undefined).join(':'));
}

/** The `call` of each `{offset, call}` (missed events, live v2 frames). */
export function calls(list: unknown): Wire[] {
  return (list as Array<{ call: Wire }>).map((item) => item.call);
}
