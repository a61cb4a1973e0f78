/**
 * `npm run call -- <command>`: the simulated PBX from a terminal, talking to a running sandbox.
 *
 *   ring   --from <number> --ext <ext> [--id <call id>]     inbound call rings (--from "": withheld)
 *   dial   --to <number> --ext <ext> [--id <call id>]       outbound call rings
 *   answer [--id <call id>]                                  (default: the latest ringing call)
 *   hangup [--id <call id>] [--recording] [--duration <s>] [--missed | --busy | --failed]
 *   list                                                     calls the PBX knows
 *   crm    [--delay <ms>] [--status 429|500] [--retry-after <s>] [--hang] [--garbage] [--clear]
 *   restart-relay                                            drop every widget connection
 * `npm run call -- --help` lists the flags (--url, --insecure and each command's).
 */
import http from 'node:http';
import https from 'node:https';
import { defineCommand, formatHelp, formatUsageError, parseCommandLine as parseFlags, UsageError } from '../../relay/src/command-line';

type Flags = Record<string, string | true>;

const DEFAULT_URL = 'http://127.0.0.1:8080';

const CALL_COMMAND = defineCommand({
  name: 'call',
  usage: 'npm run call -- <command> [flags]',
  summary: [
    'The simulated PBX from a terminal, talking to a running sandbox (npm start).',
    'Numbers may contain spaces: `--from +1 830 580 3077` takes every word up to the next flag.',
    'A withheld number: `--from ""` (or --withheld).',
  ].join('\n'),
  commands: [
    ['ring --from <number> --ext <ext>', 'an inbound call rings'],
    ['dial --to <number> --ext <ext>', 'an outbound call rings'],
    ['answer', 'answers the latest ringing call, or --id'],
    ['hangup', 'ends the latest call, or --id: --recording, --duration, --missed|--busy|--failed'],
    ['list', 'the calls the PBX knows'],
    ['crm', "breaks the sandbox CRM's API: --delay, --status, --retry-after, --hang, --garbage; --clear mends it"],
    ['restart-relay', 'drops every widget connection'],
  ],
  positionals: [{ name: 'command', description: 'one of the commands above' }],
  flags: {
    url: { type: 'string', value: 'url', env: 'SANDBOX_URL', shownDefault: DEFAULT_URL, description: 'the sandbox' },
    insecure: { type: 'boolean', description: "accept the sandbox's self-signed certificate (npm start -- --https)" },
    from: { type: 'string', value: 'number', description: 'ring: the caller ("" for a withheld number)' },
    withheld: { type: 'boolean', description: 'ring: the caller withheld the number (the same as --from "")' },
    to: { type: 'string', value: 'number', description: 'dial: the number called' },
    ext: { type: 'string', value: 'ext', description: 'ring, dial: the extension' },
    id: { type: 'string', value: 'call id', description: 'ring, dial: the new call\'s id; answer, hangup: the call (default: the latest)' },
    recording: { type: 'boolean', description: 'hangup: with a recording' },
    duration: { type: 'string', value: 's', description: 'hangup: the duration in seconds' },
    missed: { type: 'boolean', description: 'hangup: the call was missed' },
    busy: { type: 'boolean', description: 'hangup: the line was busy' },
    failed: { type: 'boolean', description: 'hangup: the call failed' },
    delay: { type: 'string', value: 'ms', description: 'crm: answer this much later' },
    status: { type: 'string', value: '429|500', description: 'crm: answer with this status' },
    'retry-after': { type: 'string', value: 's', description: 'crm: the Retry-After of a 429' },
    hang: { type: 'boolean', description: 'crm: never answer' },
    garbage: { type: 'boolean', description: 'crm: answer with a body that is not JSON' },
    clear: { type: 'boolean', description: 'crm: answer normally again' },
  },
});

const NUMBER_FLAGS = new Set(['--from', '--to']);

/**
 * `--from +1 830 580 3077`: the words after --from or --to, up to the next flag, make one value.
 * `--from ""` (or `--from=`) is a withheld number: it becomes --withheld, since an empty flag
 * value is otherwise refused as a forgotten one.
 */
function joinNumbers(argv: readonly string[]): string[] {
  const words: string[] = [];
  let state: 'none' | 'value' | 'more' = 'none';
  for (const word of argv) {
    if ((state === 'value' && words[words.length - 1] === '--from' && word.trim() === '') || /^--from=\s*$/.test(word)) {
      if (state === 'value') words.pop();
      words.push('--withheld');
      state = 'none';
      continue;
    }
    if (state === 'more' && !word.startsWith('-')) {
      words[words.length - 1] += ` ${word}`;
      continue;
    }
    words.push(word);
    if (state === 'value' && !word.startsWith('-')) state = 'more';
    else state = NUMBER_FLAGS.has(word) ? 'value' : /^--(from|to)=/.test(word) ? 'more' : 'none';
  }
  return words;
}

/** The command and the flags given (a switch is `true`); `flags.help` when --help was asked. Throws UsageError. */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = {}): { command: string | undefined; flags: Flags } {
  const line = parseFlags(CALL_COMMAND, joinNumbers(argv), env);
  if (line === null) return { command: undefined, flags: { help: true } };
  const flags: Flags = {};
  for (const [name, value] of Object.entries(line.values)) {
    if (value === true || typeof value === 'string') flags[name] = value;
  }
  return { command: line.positionals[0], flags };
}

function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

function num(flags: Flags, name: string): number | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number >= 0, got "${v}"`);
  return n;
}

function request(base: string, method: string, path: string, body: unknown, insecure: boolean): Promise<{ status: number; text: string }> {
  const url = new URL(path, base);
  const mod = url.protocol === 'https:' ? https : http;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
        timeout: 10_000,
        ...(url.protocol === 'https:' && insecure ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('the sandbox did not answer within 10 s')));
    req.on('error', reject);
    req.end(payload);
  });
}

interface CallView {
  callId: string;
  direction: string;
  phone: string;
  extension: string;
  state: string;
  duration?: number;
  recordingUrl?: string;
}

function describe(c: CallView): string {
  const phone = c.phone === '' ? '(withheld)' : c.phone;
  const arrow = c.direction === 'inbound' ? `${phone} -> ext ${c.extension}` : `ext ${c.extension} -> ${phone}`;
  const extra = c.state === 'ended' ? ` (${c.duration ?? 0} s${c.recordingUrl ? `, recording ${c.recordingUrl}` : ''})` : '';
  return `${c.callId}  ${c.state.padEnd(8)} ${arrow}${extra}`;
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    return await runCommand(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(formatUsageError(CALL_COMMAND, error));
    return 2;
  }
}

async function runCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { command, flags } = parseCommandLine(argv, env);
  if (flags.help) {
    process.stdout.write(formatHelp(CALL_COMMAND));
    return 0;
  }
  if (!command) throw new UsageError('which command? ring, dial, answer, hangup, list, crm or restart-relay');
  const base = str(flags, 'url') ?? DEFAULT_URL;
  const insecure = flags.insecure === true;
  const call = async (method: string, path: string, body?: unknown) => {
    let res: { status: number; text: string };
    try {
      res = await request(base, method, path, body, insecure);
    } catch (err) {
      throw new Error(`cannot reach the sandbox at ${base} (${(err as Error).message}); is \`npm start\` running?`);
    }
    if (res.status < 200 || res.status >= 300) throw new Error(`the sandbox answered ${res.status}: ${res.text.trim()}`);
    return JSON.parse(res.text) as Record<string, unknown>;
  };

  switch (command) {
    case 'ring':
    case 'dial': {
      const withheld = flags.withheld === true;
      const outbound = command === 'dial' || (flags.to !== undefined && flags.from === undefined && !withheld);
      if (withheld && (outbound || flags.from !== undefined)) throw new UsageError('a withheld number is for an inbound call: ring --from "" (without another --from or --to)');
      const phone = withheld ? '' : str(flags, outbound ? 'to' : 'from');
      const extension = str(flags, 'ext');
      if (phone === undefined || (!withheld && phone.trim() === '')) throw new UsageError(`${command} needs --${outbound ? 'to' : 'from'} <number>`);
      if (!extension) throw new UsageError(`${command} needs --ext <extension>`);
      const id = str(flags, 'id');
      const out = await call('POST', '/sandbox/pbx', { action: 'ring', direction: outbound ? 'outbound' : 'inbound', phone, extension, ...(id ? { callId: id } : {}) });
      console.log(describe(out.call as CallView));
      return 0;
    }
    case 'answer': {
      const id = str(flags, 'id');
      const out = await call('POST', '/sandbox/pbx', { action: 'answer', ...(id ? { callId: id } : {}) });
      console.log(describe(out.call as CallView));
      return 0;
    }
    case 'hangup': {
      const id = str(flags, 'id');
      const duration = num(flags, 'duration');
      const result = flags.missed ? 'missed' : flags.busy ? 'busy' : flags.failed ? 'failed' : undefined;
      const out = await call('POST', '/sandbox/pbx', {
        action: 'hangup',
        recording: flags.recording === true,
        ...(id ? { callId: id } : {}),
        ...(duration !== undefined ? { duration } : {}),
        ...(result ? { result } : {}),
      });
      console.log(describe(out.call as CallView));
      return 0;
    }
    case 'list': {
      const out = await call('GET', '/sandbox/pbx');
      const calls = out.calls as CallView[];
      if (calls.length === 0) console.log('no calls');
      for (const c of calls) console.log(describe(c));
      return 0;
    }
    case 'crm': {
      const faults: Record<string, unknown> = {};
      if (!flags.clear) {
        const delay = num(flags, 'delay');
        const status = num(flags, 'status');
        const retryAfter = num(flags, 'retry-after');
        if (delay !== undefined) faults.delayMs = delay;
        if (status !== undefined) faults.status = status;
        if (retryAfter !== undefined) faults.retryAfterS = retryAfter;
        if (flags.hang) faults.hang = true;
        if (flags.garbage) faults.garbage = true;
      }
      await call('POST', '/sandbox/crm/faults', faults);
      console.log(Object.keys(faults).length ? `CRM faults: ${JSON.stringify(faults)}` : 'CRM answers normally');
      return 0;
    }
    case 'restart-relay': {
      await call('POST', '/sandbox/relay/restart');
      console.log('relay restarted: every widget connection was dropped');
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`error: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
