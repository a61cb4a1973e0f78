/**
 * A recording's `recording_url` for the feed, from the file name Asterisk reported
 * (recording-path.ts says which file that is). Two ways:
 * - linked: the PBX's own web server serves the directory, and a template says where
 *   (`https://pbx.example.com/recordings/{path}`);
 * - served by the relay (recording-route.ts): `<publicBase>/recordings/<token>`, a link signed
 *   with the relay's secret (recording-token.ts) that names one file and expires.
 *
 * Why a signed link lives a year by default: Kommo keeps the link in the call's note on the
 * lead's card, and the note is the only way a manager reaches the recording; sales teams go back
 * to a lead months later, and a dead player on an old card is a support call. The link grants
 * one file to whoever can read the card, which is who may hear it anyway. Rotating the secret
 * revokes every link at once; `ttlMs` is shorter where a retention policy demands it.
 */
import type { Log } from './ami-types';
import { dateDirsAt, dateInName, normaliseDir, recordingPath } from './recording-path';
import { createTokenKey } from './recording-token';

export const DEFAULT_RECORDING_TTL_MS = 365 * 24 * 3600 * 1000;
/** The feed's limit for `recording_url` (src/protocol/event.ts). */
const MAX_URL_LENGTH = 2048;
const PLACEHOLDERS = new Set(['path', 'file', 'yyyy', 'mm', 'dd']);

interface Common {
  /** The recordings directory, absolute (`/var/spool/asterisk/monitor`). */
  dir: string;
  /** The PBX's time zone (IANA, `Europe/Moscow`), for the date directories of a bare name without a date; default the relay's. */
  timeZone?: string;
  log?: Log;
}
export interface LinkedRecordings extends Common {
  /** http(s), with `{path}` (URL-encoded per segment), `{file}` (the base name), `{yyyy}` `{mm}` `{dd}`. */
  template: string;
}
export interface ServedRecordings extends Common {
  /** The relay's secret for recording links (at least 16 characters); never logged. */
  secret: string;
  /** The relay's public http(s) base as Kommo's players reach it (`https://relay.example.com`). */
  publicBase: string;
  /** Default DEFAULT_RECORDING_TTL_MS (a year: see above). */
  ttlMs?: number;
  now?: () => number;
}
export type RecordingLinksOptions = LinkedRecordings | ServedRecordings;

export interface RecordingLinks {
  /** The link for `file` (as Asterisk reported it; `at`: the call's start, ms), or undefined when the name is refused (logged). */
  urlFor(file: string, at?: number): string | undefined;
}

function httpUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${what} must be an http(s) URL, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${what} must be an http(s) URL, got ${JSON.stringify(text)}`);
  // The relay refuses recording links with credentials (guard/recording-url.ts): every subscriber would get them.
  if (url.username !== '' || url.password !== '') throw new Error(`${what} must not carry credentials (user:password@)`);
  return url;
}

function checkTemplate(template: string): string {
  const names = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] as string);
  const unknown = names.find((n) => !PLACEHOLDERS.has(n));
  if (unknown !== undefined) throw new Error(`the recording URL template has an unknown placeholder {${unknown}} (known: {path} {file} {yyyy} {mm} {dd})`);
  if (!names.includes('path') && !names.includes('file')) throw new Error('the recording URL template must contain {path} or {file}');
  httpUrl(template.replace(/\{[a-z]+\}/g, 'x'), 'the recording URL template');
  return template;
}

function checkTimeZone(timeZone: string | undefined): void {
  if (timeZone === undefined) return;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
  } catch {
    throw new Error(`the time zone must be an IANA name (Europe/Moscow), got ${JSON.stringify(timeZone)}`);
  }
}

/** {yyyy}/{mm}/{dd}: the path's leading date directories, else the name's date, else the call's start. */
function dateOf(path: string, at: number | undefined, timeZone: string | undefined): { yyyy: string; mm: string; dd: string } | null {
  const dirs = /^([0-9]{4})\/([0-9]{2})\/([0-9]{2})\//.exec(path);
  if (dirs !== null) return { yyyy: dirs[1] as string, mm: dirs[2] as string, dd: dirs[3] as string };
  const named = dateInName(path.slice(path.lastIndexOf('/') + 1));
  if (named !== null) return named;
  if (typeof at !== 'number' || !Number.isFinite(at)) return null;
  const [yyyy, mm, dd] = dateDirsAt(at, timeZone).split('/') as [string, string, string];
  return { yyyy, mm, dd };
}

export function createRecordingLinks(o: RecordingLinksOptions): RecordingLinks {
  const dir = normaliseDir(o.dir);
  checkTimeZone(o.timeZone);
  const log = o.log ?? (() => {});
  const refused = (reason: string) => {
    // The name holds the customer's number: the reason alone is logged.
    log('relay: asterisk: a recording gets no link', { reason });
    return undefined;
  };
  const fill: (path: string, at: number | undefined) => string | null = 'template' in o ? linked(checkTemplate(o.template), o.timeZone) : served(o);
  return {
    urlFor(file, at) {
      const resolved = recordingPath(file, { dir, at, timeZone: o.timeZone });
      if (!resolved.ok) return refused(resolved.reason);
      const url = fill(resolved.path, at);
      if (url === null) return refused('the template needs a date ({yyyy} {mm} {dd}) the name does not give');
      if (url.length > MAX_URL_LENGTH) return refused(`the link would be longer than ${MAX_URL_LENGTH} characters`);
      return url;
    },
  };
}

function linked(template: string, timeZone: string | undefined) {
  return (path: string, at: number | undefined): string | null => {
    const date = /\{(yyyy|mm|dd)\}/.test(template) ? dateOf(path, at, timeZone) : null;
    if (date === null && /\{(yyyy|mm|dd)\}/.test(template)) return null;
    const values: Record<string, string> = {
      path: path.split('/').map(encodeURIComponent).join('/'),
      file: encodeURIComponent(path.slice(path.lastIndexOf('/') + 1)),
      yyyy: date?.yyyy ?? '',
      mm: date?.mm ?? '',
      dd: date?.dd ?? '',
    };
    return template.replace(/\{([a-z]+)\}/g, (_, name: string) => values[name] ?? '');
  };
}

function served(o: ServedRecordings) {
  const key = createTokenKey(o.secret);
  const base = httpUrl(o.publicBase, 'the relay\'s public base');
  if (base.search !== '' || base.hash !== '') throw new Error('the relay\'s public base must have no query or fragment');
  const prefix = base.href.replace(/\/+$/, '');
  const ttlMs = o.ttlMs ?? DEFAULT_RECORDING_TTL_MS;
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) throw new RangeError(`ttlMs must be a positive integer, got ${String(ttlMs)}`);
  const now = o.now ?? Date.now;
  return (path: string): string => `${prefix}/recordings/${key.sign(path, now() + ttlMs)}`;
}
