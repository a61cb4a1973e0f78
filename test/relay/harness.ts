/**
 * The relay tests' widget and PBX: a relay on a loopback port with a clock the test moves, a PBX
 * that POSTs, a poller and WebSocket clients that record every frame. Everything a test starts
 * is stopped by `stopAll()` (afterEach).
 */
import { WebSocket } from 'ws';
import { startRelay } from '../../relay/src';
import type { RelayOptions, RunningRelay } from '../../relay/src';
import { waitUntil } from '../support/wait';

export const TOKEN = 'widget-token';
export const PBX = 'pbx-token';
export const T0 = 1_700_000_000_000;

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
  close(): Promise<void>;
}

export async function relay(options: Partial<RelayOptions> = {}, clock = { ms: T0 }): Promise<TestRelay> {
  const r = await startRelay({ token: TOKEN, pbxToken: PBX, port: 0, now: () => clock.ms, ...options });
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
