/**
 * `GET` and `HEAD /recordings/<token>`: the relay serves a recording its signed link names
 * (recordings.ts, recording-token.ts). Only a regular audio file under the recordings directory,
 * whose real path (symlinks resolved) is still under the directory's real path; no listing; any
 * other path under /recordings/ is 404. Answers, errors as `{"error", "reason"}`:
 *   200 / 206 the bytes (one `Range`), 416 `range_not_satisfiable`,
 *   403 `bad_token` (malformed, tampered, another secret's) / `link_expired`,
 *   404 `recording_not_ready`: the file is not there (yet): MixMonitor writes it while the call
 *       goes on and closes it at hang-up, so a link published at the end of a call may be asked
 *       for a moment before; Kommo's player asks again later,
 *   404 `recording_not_found`: not an audio file, not a regular file, or outside the directory,
 *   404 `not_found` (another path), 405 `method_not_allowed`.
 * Neither the token's signature nor the secret is ever logged.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { posix } from 'node:path';
import { pipeline } from 'node:stream';
import { sendJson } from '../http-answers';
import type { Log } from './ami-types';
import { audioType, normaliseDir, recordingPath } from './recording-path';
import { rangeOf } from './recording-range';
import { createTokenKey } from './recording-token';

export interface RecordingRouteOptions {
  /** The recordings directory, absolute (`/var/spool/asterisk/monitor`). */
  dir: string;
  /** The same secret the links were signed with (recordings.ts). */
  secret: string;
  now?: () => number;
  log?: Log;
}

export type RecordingRoute = (req: IncomingMessage, res: ServerResponse, path: string) => boolean;

const PREFIX = '/recordings/';
const REASONS = {
  bad_token: 'this recording link is not one the relay made (or it was altered)',
  link_expired: 'this recording link has expired: open the call again in Kommo for a new one',
  recording_not_ready: 'the recording is not there yet (it is written when the call ends); try again shortly',
  recording_not_found: 'no such recording',
} as const;

/** Errors that mean the file is simply not there (yet). */
const MISSING = new Set(['ENOENT', 'ENOTDIR']);

export function createRecordingRoute(o: RecordingRouteOptions): RecordingRoute {
  const dir = normaliseDir(o.dir);
  const key = createTokenKey(o.secret);
  const now = o.now ?? Date.now;
  const log = o.log ?? (() => {});
  const refuse = (res: ServerResponse, status: number, error: keyof typeof REASONS) => sendJson(res, status, { error, reason: REASONS[error] });

  /** The real path of the file `relative` names, or the refusal to answer instead. */
  async function locate(relative: string): Promise<string | 'recording_not_ready' | 'recording_not_found'> {
    let realDir: string;
    let real: string;
    try {
      realDir = await realpath(dir);
      real = await realpath(posix.join(dir, relative));
    } catch (error) {
      return MISSING.has(String((error as NodeJS.ErrnoException).code)) ? 'recording_not_ready' : 'recording_not_found';
    }
    if (!real.startsWith(realDir === '/' ? '/' : `${realDir}/`)) {
      log('relay: asterisk: a recording link resolves outside the recordings directory (a symlink); refused');
      return 'recording_not_found';
    }
    // The real name decides too: `a.wav` may be a symlink to a file that is not audio.
    return audioType(posix.basename(real)) === null ? 'recording_not_found' : real;
  }

  async function serve(req: IncomingMessage, res: ServerResponse, relative: string): Promise<void> {
    const real = await locate(relative);
    if (real === 'recording_not_ready' || real === 'recording_not_found') return refuse(res, 404, real);
    let handle: FileHandle;
    try {
      // O_NONBLOCK: a FIFO named like a recording must not hang the open; O_NOFOLLOW: no symlink swapped in since realpath.
      handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    } catch (error) {
      return refuse(res, 404, MISSING.has(String((error as NodeJS.ErrnoException).code)) ? 'recording_not_ready' : 'recording_not_found');
    }
    let streaming = false;
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return refuse(res, 404, 'recording_not_found');
      const size = stat.size;
      const range = rangeOf(req.headers.range, size);
      const headers: Record<string, string> = {
        'Content-Type': audioType(real) as string,
        'Accept-Ranges': 'bytes',
        'Cache-Control': 'private, max-age=86400',
        'Last-Modified': stat.mtime.toUTCString(),
        'X-Content-Type-Options': 'nosniff',
      };
      if (range.kind === 'unsatisfiable') {
        return sendJson(res, 416, { error: 'range_not_satisfiable', reason: `the recording has ${size} bytes` }, { 'Content-Range': `bytes */${size}`, 'Accept-Ranges': 'bytes' });
      }
      const start = range.kind === 'part' ? range.start : 0;
      const end = range.kind === 'part' ? range.end : size - 1;
      if (range.kind === 'part') headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
      headers['Content-Length'] = String(end - start + 1);
      res.writeHead(range.kind === 'part' ? 206 : 200, headers);
      if (req.method === 'HEAD' || size === 0) {
        res.end();
        return;
      }
      streaming = true;
      // pipeline destroys the file stream (closing the handle) when the client goes away.
      pipeline(handle.createReadStream({ start, end, autoClose: true }), res, (error) => {
        if (error && (error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') log('relay: asterisk: a recording could not be sent', { error: String(error) });
      });
    } finally {
      if (!streaming) await handle.close().catch(() => {});
    }
  }

  return function route(req, res, path) {
    if (path !== '/recordings' && !path.startsWith(PREFIX)) return false;
    const token = path.slice(PREFIX.length);
    if (path === '/recordings' || token === '' || token.includes('/')) {
      sendJson(res, 404, { error: 'not_found', reason: 'no such route' });
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'method_not_allowed', reason: 'GET or HEAD only' }, { Allow: 'GET, HEAD' });
      return true;
    }
    const checked = key.verify(token, now());
    if (!checked.ok) {
      refuse(res, 403, checked.error);
      return true;
    }
    // Signed by us, yet checked again: a link made before a rule tightened must not slip through.
    const again = recordingPath(checked.path, { dir });
    if (!again.ok || again.path !== checked.path) {
      refuse(res, 404, 'recording_not_found');
      return true;
    }
    serve(req, res, checked.path).catch((error: unknown) => {
      log('relay: asterisk: a recording request failed', { error: String(error) });
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: 'internal', reason: 'the relay could not read the recording; see its log' });
    });
    return true;
  };
}
