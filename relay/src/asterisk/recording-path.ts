/**
 * Which file under the recordings directory a recording name Asterisk reported means, as pure
 * functions: the links (recordings.ts) and the route (recording-route.ts) both apply them, so a
 * name the rules refuse never becomes a link, and a signed path is checked again when served.
 *
 * Asterisk reports a recording three ways:
 * - MixMonitor's MIXMONITOR_FILENAME: the absolute path it writes,
 *   `/var/spool/asterisk/monitor/2026/12/02/in-5550100-+18305803077-20261202-011909-1796174349.2.wav`;
 * - a path relative to the monitor directory (MixMonitor puts a relative file name there:
 *   https://docs.asterisk.org/Asterisk_20_Documentation/API_Documentation/Dialplan_Applications/MixMonitor/);
 * - FreePBX's CDR(recordingfile): the base name alone, while the file lies in YYYY/MM/DD/ of the
 *   call's start (FreePBX's sub-record-check builds both from one time stamp, so the name's
 *   `-YYYYMMDD-HHMMSS-` and the directories agree).
 */
import { posix } from 'node:path';

/** Playable audio, by extension (any case: `wav49` files end in `.WAV`). */
const AUDIO_TYPES: Readonly<Record<string, string>> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  oga: 'audio/ogg',
  gsm: 'audio/x-gsm',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
};

/** Longer names are not recordings Asterisk wrote (its paths are PATH_MAX-bound, names far shorter). */
export const MAX_RECORDING_NAME = 1024;

/** The Content-Type of an audio file name, or null when the extension is not audio. */
export function audioType(name: string): string | null {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return null;
  return AUDIO_TYPES[name.slice(dot + 1).toLowerCase()] ?? null;
}

export type RecordingPath = { ok: true; path: string } | { ok: false; reason: string };

/** The recordings directory as the rules compare it: absolute, normalised, no trailing slash. */
export function normaliseDir(dir: string): string {
  if (typeof dir !== 'string' || !dir.startsWith('/') || dir.includes('\0') || dir.includes('\\')) {
    throw new Error(`the recordings directory must be an absolute path (/var/spool/asterisk/monitor), got ${JSON.stringify(dir)}`);
  }
  const normal = posix.normalize(dir);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/** `20261202` in a FreePBX name (`...-20261202-011909-...`) as YYYY/MM/DD, when it is a real date. */
export function dateInName(name: string): { yyyy: string; mm: string; dd: string } | null {
  const match = /(?:^|[^0-9])(20[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])-[0-9]{6}(?:[^0-9]|$)/.exec(name);
  if (match === null) return null;
  return { yyyy: match[1] as string, mm: match[2] as string, dd: match[3] as string };
}

/** The date directories of a call started at `at` (ms), in `timeZone` (the PBX's; default the relay's). */
export function dateDirsAt(at: number, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(at));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}/${part('month')}/${part('day')}`;
}

function refuse(reason: string): RecordingPath {
  return { ok: false, reason };
}

/** Segments of a relative path, or a refusal: no `..`, nothing empty but doubled slashes, `.` dropped. */
function segmentsOf(relative: string): string[] | null {
  const segments = relative.split('/').filter((s) => s !== '' && s !== '.');
  return segments.length === 0 || segments.includes('..') ? null : segments;
}

export interface PathContext {
  /** Normalised (normaliseDir). */
  dir: string;
  /** When the call started (ms): the date directories of a bare name without a date in it. */
  at?: number;
  timeZone?: string;
}

/**
 * The recording's path relative to the directory (`2026/12/02/in-...wav`), or why it is
 * refused: not a string, a NUL, a backslash or a control character, `..` anywhere, an absolute
 * path outside the directory, or not an audio file.
 */
export function recordingPath(file: unknown, context: PathContext): RecordingPath {
  if (typeof file !== 'string' || file.trim() === '') return refuse('no file name');
  if (file.length > MAX_RECORDING_NAME) return refuse(`longer than ${MAX_RECORDING_NAME} characters`);
  // A control character (NUL, CR, LF...) or a backslash is never part of a name Asterisk wrote here.
  if (/[\u0000-\u001f\u007f\\]/.test(file)) return refuse('a control character or a backslash');
  let relative: string;
  if (file.startsWith('/')) {
    const prefix = context.dir === '/' ? '/' : `${context.dir}/`;
    if (segmentsOf(file) === null) return refuse('a .. segment');
    const normal = posix.normalize(file);
    if (!normal.startsWith(prefix)) return refuse('outside the recordings directory');
    relative = normal.slice(prefix.length);
  } else if (file.includes('/')) {
    relative = file;
  } else {
    const date = dateInName(file);
    const known = typeof context.at === 'number' && Number.isFinite(context.at);
    const dirs = date !== null ? `${date.yyyy}/${date.mm}/${date.dd}` : known ? dateDirsAt(context.at as number, context.timeZone) : null;
    relative = dirs === null ? file : `${dirs}/${file}`;
  }
  const segments = segmentsOf(relative);
  if (segments === null) return refuse('a .. segment, or no name');
  const name = segments[segments.length - 1] as string;
  if (audioType(name) === null) return refuse('not an audio file (.wav .mp3 .ogg .gsm ...)');
  return { ok: true, path: segments.join('/') };
}
