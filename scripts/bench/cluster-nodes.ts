/**
 * The relays of one cluster bench run: N built relay processes (relay-process.ts) sharing one
 * redis-server through `--redis-url`, or, with no Redis, the single relay on its `--data-dir`
 * store (the reference). Each cluster gets a fresh `--redis-prefix`, so the runs sharing one
 * redis-server start from an empty store each. stop() stops what was started, errors aside.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, spawnRelay } from './relay-process';
import type { RelayProcess } from './relay-process';
import { PBX, TOKEN } from './relay-scale';

export interface Nodes {
  nodes: RelayProcess[];
  /** GET /health of node i (the pbx token), parsed. */
  health(i: number): Promise<{ cluster?: { redis?: string; applied?: string; maintainer?: boolean } }>;
  stop(): Promise<void>;
}

let clusters = 0;

/** `count` nodes on `redisUrl`, or one relay without Redis when redisUrl is null. */
export async function startNodes(count: number, redisUrl: string | null): Promise<Nodes> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cluster-'));
  const prefix = `bench-${process.pid}-${++clusters}`;
  const nodes: RelayProcess[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i += 1) {
      const dataDir = path.join(dir, `node-${i}`);
      fs.mkdirSync(dataDir);
      const args = redisUrl === null ? [] : ['--redis-url', redisUrl, '--redis-prefix', prefix];
      // One after the other: a node joins the cluster from what the previous ones wrote.
      nodes.push(await spawnRelay({ port: await freePort(), dataDir, token: TOKEN, pbxToken: PBX, args }));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes,
    async health(i) {
      const res = await fetch(`${nodes[i]!.url}/health`, { headers: { Authorization: `Bearer ${PBX}` }, signal: AbortSignal.timeout(5_000) });
      return (await res.json()) as { cluster?: { redis?: string } };
    },
    stop,
  };
}
