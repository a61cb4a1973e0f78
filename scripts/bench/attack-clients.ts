/**
 * The attack benchmark's clients (attack.ts): attackers as child processes of their own (so
 * their work is not on the measuring client's event loop), a widget's connect, the relay
 * process's memory.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { BUILT_RELAY } from './relay-process';

const ROOT = path.resolve(__dirname, '../..');

/** The flooder (a child process): `count` sockets that never subscribe, each re-opened when closed; prints how many are open. */
export const FLOOD_JS = `const { WebSocket } = require('ws'); const [url, n] = process.argv.slice(1); let open = 0, closed = 0;
function one() { const ws = new WebSocket(url); let up = false; ws.on('open', () => { up = true; open++; }); ws.on('error', () => {});
  ws.on('close', () => { if (up) open--; closed++; setImmediate(one); }); }
for (let i = 0; i < Number(n); i++) one(); setInterval(() => console.log(JSON.stringify({ open, closed })), 100);`;

/** One token holder: once open it says so, and on `go` (stdin) sends `n` subscribe frames at once, reading everything; then prints what it got. */
export const SUBSCRIBE_FLOOD_JS = `const { WebSocket } = require('ws'); const [url, n, frame] = process.argv.slice(1); let snapshots = 0;
const ws = new WebSocket(url); ws.on('open', () => { console.log(JSON.stringify({ open: 1 })); process.stdin.once('data', () => { for (let i = 0; i < Number(n); i++) ws.send(frame); }); });
ws.on('message', (d) => { if (String(d).startsWith('{"type":"snapshot"')) snapshots++; if (snapshots === Number(n)) ws.close(); });
ws.on('close', (code) => { console.log(JSON.stringify({ snapshots, code })); process.exit(0); }); ws.on('error', () => {});`;

export function child(script: string, args: string[]) {
  const proc = spawn(process.execPath, ['-e', script, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  let last: Record<string, number> = {};
  proc.stdout.setEncoding('utf8').on('data', (text: string) => {
    const line = text.trim().split('\n').pop();
    if (line) last = JSON.parse(line) as Record<string, number>;
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return { last: () => last, exited, go: () => proc.stdin.write('go\n'), stop: async () => { proc.kill('SIGKILL'); await exited; } };
}

/** A widget's socket: open -> subscribe -> its snapshot, in ms; the socket is closed after. */
export function connectOnce(wsUrl: string, frame: string, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  const ws = new WebSocket(wsUrl);
  return new Promise((resolve, reject) => {
    const fail = (why: string) => { clearTimeout(timer); ws.terminate(); reject(new Error(why)); };
    const timer = setTimeout(() => fail(`no snapshot within ${timeoutMs} ms`), timeoutMs);
    ws.on('open', () => ws.send(frame));
    ws.on('message', (data) => {
      const text = String(data);
      if (!text.startsWith('{"type":"snapshot"')) return fail(`refused: ${text.slice(0, 120)}`);
      clearTimeout(timer);
      resolve(performance.now() - started);
      ws.close();
    });
    ws.on('error', (error) => fail(String(error)));
    ws.on('close', (code) => fail(`closed ${code}`));
  });
}

export async function connectTimes(wsUrl: string, n: number, subscribeFrame: (extensions: string[]) => string): Promise<{ samples: number[]; failed: string[] }> {
  const samples: number[] = [];
  const failed: string[] = [];
  for (let i = 0; i < n; i += 1) await connectOnce(wsUrl, subscribeFrame([String(100 + (i % 50))])).then((ms) => samples.push(ms), (e: Error) => failed.push(e.message));
  return { samples, failed };
}

/** The built relay's pid: this process's child running it (relay-process.ts does not say). */
export function relayPid(): number {
  for (const entry of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const ppid = Number(fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      if (ppid === process.pid && fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(BUILT_RELAY)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error('bench: the relay process was not found in /proc');
}
export const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
