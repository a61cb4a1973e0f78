/**
 * The cluster tests' relay nodes: the built relay, started as an operator would with
 * `--redis-url`, on loopback ports, behind the test balancer; everything started is stopped by
 * `stopNodes()`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, spawnRelay } from '../../../scripts/bench/relay-process';
import type { RelayProcess } from '../../../scripts/bench/relay-process';

export const WIDGET_TOKEN = 'cluster-widget-token-0123456789';
export const PBX_TOKEN = 'cluster-pbx-token-0123456789';

const started: RelayProcess[] = [];
const dirs: string[] = [];

export async function startNode(redisUrl: string, extra: readonly string[] = [], env: Readonly<Record<string, string>> = {}): Promise<RelayProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-node-'));
  dirs.push(dataDir);
  // A snapshot every second, so that joins from one happen within a test.
  const node = await spawnRelay({ port: await freePort(), dataDir, token: WIDGET_TOKEN, pbxToken: PBX_TOKEN, args: ['--redis-url', redisUrl, '--cluster-snapshot-every-ms', '1000', ...extra], env });
  started.push(node);
  return node;
}

export async function stopNodes(): Promise<void> {
  await Promise.all(started.splice(0).map((node) => node.kill9()));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export async function post(url: string, events: unknown): Promise<{ status: number; body: Record<string, unknown>; retryAfter: string | null }> {
  const res = await fetch(`${url}/pbx/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${PBX_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(events),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, retryAfter: res.headers.get('retry-after') };
}

export async function health(url: string): Promise<Record<string, unknown> & { cluster: Record<string, unknown>; call_log: Record<string, unknown> }> {
  const res = await fetch(`${url}/health`, { headers: { Authorization: `Bearer ${PBX_TOKEN}` } });
  return (await res.json()) as Record<string, unknown> & { cluster: Record<string, unknown>; call_log: Record<string, unknown> };
}

export const subscribe = (since?: { epoch: unknown; offset: unknown }) => ({ type: 'subscribe', v: 2, token: WIDGET_TOKEN, extensions: ['101'], ...(since === undefined ? {} : { since }) });
