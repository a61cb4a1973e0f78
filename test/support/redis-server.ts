/**
 * Debian's redis-server (scripts/ensure-redis.sh installs it) as a process of the test's own, for
 * the relay nodes of a cluster to share: bound to 127.0.0.1 on an OS-picked port, its own temp
 * dir, an append-only file fsynced every second (what an operator would run) and no RDB
 * snapshots. The faults a cluster must live through are staged on the process itself:
 * kill9() (a crash; restart() brings it back with its AOF), pause()/resume() (SIGSTOP: it stays
 * connected but answers nothing, as a host swapping or a network partition would).
 * Whatever a test forgets, the process is killed and the dir removed when this process exits.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/bench/relay-process';

export interface RedisOptions {
  /** Give up when it is not ready to accept connections within this long (default 15 s). */
  startTimeoutMs?: number;
  /** More redis-server flags, after ours (e.g. ['--maxmemory', '10mb']). */
  args?: readonly string[];
}

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`, for `--redis-url`. */
  url: string;
  port: number;
  /** Its data dir (the AOF is in appendonlydir/ there). */
  dir: string;
  /** The running process's id (a new one after restart()). */
  readonly pid: number;
  /** SIGTERM (it fsyncs the AOF), waits for the exit, removes the dir: for good, unless keepData. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** SIGKILL (a crash: up to the last second of writes may be lost); the dir stays for restart(). */
  kill9(): Promise<void>;
  /** Stops it cleanly if it runs, then starts it again on the same port and dir (the AOF reloads). */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open and commands hang unanswered. */
  pause(): void;
  /** SIGCONT: it answers again, the hung commands first. */
  resume(): void;
}

const READY = 'Ready to accept connections';
/** The servers still running or still holding a dir, for the exit handler. */
const live = new Set<{ child: ChildProcess | null; dir: string }>();
let exitHandlerInstalled = false;

function killAllOnExit(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const s of live) {
      s.child?.kill('SIGKILL'); // SIGKILL also ends a SIGSTOPped process
      fs.rmSync(s.dir, { recursive: true, force: true });
    }
  });
}

const running = (child: ChildProcess | null): child is ChildProcess => child !== null && child.exitCode === null && child.signalCode === null;

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (running(child) ? child.once('exit', () => resolve()) : resolve()));
}

/** Spawns redis-server and resolves once it logs that it accepts connections. */
function spawnRedis(port: number, dir: string, o: RedisOptions): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'no', '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--logfile', '', ...(o.args ?? [])];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d.toString('utf8')).slice(-4000); // read all of it, or a full pipe would block redis
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const timeoutMs = o.startTimeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.kill('SIGKILL');
      reject(new Error(`redis-server on 127.0.0.1:${port} ${why}; its output:\n${log}`));
    };
    const timer = setTimeout(() => fail(`was not ready to accept connections within ${timeoutMs} ms`), timeoutMs);
    const onData = () => {
      if (settled || !log.includes(READY)) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onEarlyExit);
      resolve(child);
    };
    const onEarlyExit = (code: number | null, signal: string | null) => fail(`exited (${code ?? signal}) before it was ready`);
    child.stdout?.on('data', onData);
    child.once('exit', onEarlyExit);
    child.once('error', (e) => fail(`could not be started (${e.message}; scripts/ensure-redis.sh installs it)`));
  });
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  killAllOnExit();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-redis-'));
  const entry: { child: ChildProcess | null; dir: string } = { child: null, dir };
  live.add(entry);
  // Another process may take the free port before redis binds it: try a fresh one then.
  let port = 0;
  for (let attempt = 1; entry.child === null; attempt++) {
    port = await freePort();
    try {
      entry.child = await spawnRedis(port, dir, options);
    } catch (e) {
      if (attempt < 3 && /Address already in use/.test(String(e))) continue;
      live.delete(entry);
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }
  let paused = false;
  const signalAndWait = async (signal: 'SIGTERM' | 'SIGKILL') => {
    const child = entry.child;
    if (!running(child)) return;
    child.kill(signal);
    if (paused) child.kill('SIGCONT'); // a stopped process acts on SIGTERM only once continued
    paused = false;
    // A clean shutdown takes milliseconds; one that hangs is not allowed to outlive the test.
    const guard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited(child);
    clearTimeout(guard);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return entry.child?.pid ?? -1;
    },
    async stop(stopOptions = {}) {
      await signalAndWait('SIGTERM');
      if (stopOptions.keepData) return;
      live.delete(entry);
      fs.rmSync(dir, { recursive: true, force: true });
    },
    kill9: () => signalAndWait('SIGKILL'),
    async restart() {
      if (!live.has(entry)) throw new Error(`redis-server on 127.0.0.1:${port} was stopped for good (stop() removed its dir); stop({ keepData: true }) or kill9() before restart()`);
      await signalAndWait('SIGTERM');
      entry.child = await spawnRedis(port, dir, options);
    },
    pause() {
      if (!running(entry.child)) throw new Error(`redis-server on 127.0.0.1:${port} is not running: nothing to pause`);
      entry.child.kill('SIGSTOP');
      paused = true;
    },
    resume() {
      if (!running(entry.child)) throw new Error(`redis-server on 127.0.0.1:${port} is not running: nothing to resume`);
      entry.child.kill('SIGCONT');
      paused = false;
    },
  };
}
