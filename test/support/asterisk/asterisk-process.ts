/**
 * One real Asterisk as a child process of the test: its configuration written under `dir`,
 * started in the foreground (`asterisk -C dir/etc/asterisk.conf -f -n`, so the harness owns the
 * process), its CLI reachable through `asterisk -C ... -rx` (the control socket in dir/run).
 * stop() sends SIGTERM, then SIGKILL after a deadline; a process 'exit' hook kills it too, so a
 * crashed or interrupted test run leaves no Asterisk behind.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { instanceDirs, type InstanceLayout } from './config-common';

export interface AsteriskProcess {
  name: string;
  pid: number;
  /** Runs one CLI command (`asterisk -rx`), resolves with its output. */
  cli(command: string): Promise<string>;
  /** The last lines Asterisk printed (stdout and stderr), for failure messages. */
  output(): string;
  /** True once the process has exited. */
  exited(): boolean;
  stop(): Promise<void>;
}

export class AsteriskStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AsteriskStartError';
  }
}

export interface StartOptions extends InstanceLayout {
  name: string;
  /** Configuration files by name (asterisk.conf, sip.conf...), written to dir/etc. */
  files: Readonly<Record<string, string>>;
  /** How long to wait for `core waitfullybooted` (default 30 s). */
  bootTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL (default 5 s). */
  stopTimeoutMs?: number;
}

const OUTPUT_KEEP = 16_384;

export async function startAsterisk(options: StartOptions): Promise<AsteriskProcess> {
  const dirs = instanceDirs(options);
  for (const d of [dirs.etc, join(dirs.varLib, 'keys'), dirs.monitor, dirs.run, dirs.log]) mkdirSync(d, { recursive: true });
  for (const [file, text] of Object.entries(options.files)) writeFileSync(join(dirs.etc, file), text);

  const binary = join(options.prefix, 'sbin', 'asterisk');
  const conf = join(dirs.etc, 'asterisk.conf');
  const env = { ...process.env, LD_LIBRARY_PATH: join(options.prefix, 'lib') };
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
  };
  const child: ChildProcess = spawn(binary, ['-C', conf, '-f', '-n'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitedWith: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedWith = signal ?? `code ${code}`;
      resolve();
    });
    child.once('error', (error) => {
      exitedWith = `spawn error: ${error.message}`;
      resolve();
    });
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const cli = (command: string) =>
    new Promise<string>((resolve, reject) => {
      execFile(binary, ['-C', conf, '-rx', command], { env, timeout: 10_000 }, (error, stdout, stderr) => {
        if (error) reject(new AsteriskStartError(`${options.name}: CLI "${command}" failed: ${stderr || error.message}`, { cause: error }));
        else resolve(stdout);
      });
    });

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (exitedWith !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 5_000);
    await exit;
    clearTimeout(timer);
  };

  const handle: AsteriskProcess = {
    name: options.name,
    pid: child.pid ?? -1,
    cli,
    output: () => output,
    exited: () => exitedWith !== undefined,
    stop,
  };

  // Booted = the CLI answers `core waitfullybooted` (it blocks until every module loaded).
  const deadline = Date.now() + (options.bootTimeoutMs ?? 30_000);
  for (;;) {
    if (exitedWith !== undefined) {
      throw new AsteriskStartError(`${options.name}: Asterisk exited (${exitedWith}) while starting:\n${output}`);
    }
    try {
      await cli('core waitfullybooted');
      return handle;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new AsteriskStartError(`${options.name}: not booted after ${options.bootTimeoutMs ?? 30_000} ms:\n${output}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
