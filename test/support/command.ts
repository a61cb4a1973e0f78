/**
 * A command line run as a child process, the way a developer or an operator starts it: its
 * output so far, its exit. Tests of the command lines (test/relay/cli, test/scripts/cli) use it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningCommand {
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited (never rejects: a failed spawn exits with code null). */
  exited: Promise<Exit>;
  kill(signal?: NodeJS.Signals): void;
}

export interface CommandOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export function startCommand(command: string, args: readonly string[], options: CommandOptions): RunningCommand {
  const child: ChildProcess = spawn(command, [...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (error) => {
      err += String(error);
      resolve({ code: null, signal: null });
    });
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Runs a command to its end. */
export async function runCommand(command: string, args: readonly string[], options: CommandOptions): Promise<Exit & { stdout: string; stderr: string }> {
  const running = startCommand(command, args, options);
  const exit = await running.exited;
  return { ...exit, stdout: running.stdout(), stderr: running.stderr() };
}

/** process.env without the variables whose names match `pattern` (so a test does not inherit a setting). */
export function envWithout(pattern: RegExp): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !pattern.test(name)));
}
