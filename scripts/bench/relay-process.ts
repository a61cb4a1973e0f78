/**
 * The BUILT relay (dist/relay, `npm run build:relay`) as its own process on loopback, the way an
 * operator runs it: `node dist/relay/relay/src/main.js --port P --data-dir D --token T --pbx-token T2`.
 * `listeningAt` is Date.now() here when its "relay listening on" line arrives: main.ts prints it
 * from listen()'s callback, and stdout to a pipe is synchronous on Linux, so the line is written
 * before the relay handles any connection.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const BUILT_RELAY = path.resolve(__dirname, '../../dist/relay/relay/src/main.js');

export interface RelayProcessOptions {
  port: number;
  dataDir: string;
  token: string;
  pbxToken: string;
  /** Give up when it has not said it listens within this long (default 15 s). */
  startTimeoutMs?: number;
  /** More flags (the call log's), after the ones above. */
  args?: readonly string[];
  /** More environment (secrets go here, as an operator's do). */
  env?: Readonly<Record<string, string>>;
}

export interface RelayProcess {
  url: string;
  wsUrl: string;
  listeningAt: number;
  /** The relay's process id (its memory, in /proc). */
  pid: number;
  /** The last 2000 characters it wrote to stderr (its log). */
  stderr(): string;
  /** SIGKILL, no clean-up of any kind; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (a clean close); resolves once the process is gone. */
  stop(): Promise<void>;
}

/** A port free right now on 127.0.0.1 (the relay is started on it, then restarted on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

export function spawnRelay(o: RelayProcessOptions): Promise<RelayProcess> {
  const child = spawn(process.execPath, [BUILT_RELAY, '--port', String(o.port), '--data-dir', o.dataDir, '--token', o.token, '--pbx-token', o.pbxToken, ...(o.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...o.env },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench: the built relay did not listen within ${o.startTimeoutMs ?? 15_000} ms: ${stderr}`));
    }, o.startTimeoutMs ?? 15_000);
    let out = '';
    const onData = (d: Buffer) => {
      const at = Date.now();
      out += d.toString('utf8');
      if (!out.includes('relay listening on')) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stdout?.resume(); // the rest of its output is not read, but must not fill the pipe
      const url = `http://127.0.0.1:${o.port}`;
      resolve({
        url,
        wsUrl: `ws://127.0.0.1:${o.port}/ws`,
        listeningAt: at,
        pid: child.pid ?? -1,
        stderr: () => stderr,
        async kill9() {
          child.kill('SIGKILL');
          await exited(child);
        },
        async stop() {
          child.kill('SIGTERM');
          await exited(child);
        },
      });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`bench: the built relay exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
}
