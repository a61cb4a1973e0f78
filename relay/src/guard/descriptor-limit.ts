/**
 * How many connections the process can hold. Every socket is a file descriptor, and a process
 * at its open-files limit (`ulimit -n`) cannot accept: the listening socket fails with EMFILE
 * and the PBX endpoint is as unreachable as the widgets. So the connection cap is set below the
 * soft limit, with room kept for the process's own files (the SQLite database, its WAL and
 * shared memory, stdio, the listening socket, libuv's internals).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Descriptors kept for the process's own files, whatever the connections do. */
export const OWN_DESCRIPTORS = 64;

/** The soft open-files limit: /proc/self/limits on Linux, `ulimit -n` elsewhere; null when unlimited or unknown. */
export function openFilesLimit(): number | null {
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.trim().split(/\s{2,}/)[1];
    if (soft !== undefined) return soft === 'unlimited' ? null : Number(soft);
  } catch {
    // not Linux: ask the shell
  }
  try {
    const text = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2_000 }).trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

export interface ConnectionBudget {
  maxConnections: number;
  /** The limit that lowered the configured cap, or null when the configured cap stands. */
  loweredBy: number | null;
}

/** The configured cap, lowered to the open-files limit minus the process's own descriptors. */
export function connectionBudget(configured: number, limit: number | null): ConnectionBudget {
  if (limit === null || configured <= limit - OWN_DESCRIPTORS) return { maxConnections: configured, loweredBy: null };
  const maxConnections = limit - OWN_DESCRIPTORS;
  if (maxConnections < 1) {
    throw new Error(`the open-files limit (ulimit -n ${limit}) leaves no room for connections; raise it to at least ${OWN_DESCRIPTORS + 64}`);
  }
  return { maxConnections, loweredBy: limit };
}
