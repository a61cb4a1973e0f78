/**
 * `npm run call -- <command>`: the simulated PBX from a terminal, talking to a running sandbox.
 *
 *   ring   --from <number> --ext <ext> [--id <call id>]     inbound call rings
 *   dial   --to <number> --ext <ext> [--id <call id>]       outbound call rings
 *   answer [--id <call id>]                                  (default: the latest ringing call)
 *   hangup [--id <call id>] [--recording] [--duration <s>] [--missed | --busy | --failed]
 *   list                                                     calls the PBX knows
 *   crm    [--delay <ms>] [--status 429|500] [--retry-after <s>] [--hang] [--garbage] [--clear]
 *   restart-relay                                            drop every widget connection
 * Options: --url <sandbox url> (default $SANDBOX_URL or http://127.0.0.1:8080), --insecure (self-signed https).
 * Numbers may contain spaces: `--from +1 830 580 3077` takes every word up to the next option.
 */
import http from 'node:http';
import https from 'node:https';

type Flags = Record<string, string | true>;

const USAGE = `usage: npm run call -- <ring|dial|answer|hangup|list|crm|restart-relay> [options]
  ring   --from <number> --ext <ext>          an inbound call rings
  dial   --to <number> --ext <ext>            an outbound call rings
  answer [--id <call id>]                     the latest ringing call if no id
  hangup [--id <id>] [--recording] [--duration <s>] [--missed|--busy|--failed]
  list
  crm    [--delay <ms>] [--status 429|500] [--retry-after <s>] [--hang] [--garbage] [--clear]
  restart-relay
  --url <sandbox url>   default $SANDBOX_URL or http://127.0.0.1:8080
  --insecure            accept the sandbox's self-signed certificate (--https sandboxes)`;

/** Options that take no value, and the two that take every word up to the next option. */
const SWITCHES = new Set(['insecure', 'recording', 'missed', 'busy', 'failed', 'hang', 'garbage', 'clear', 'help']);
const NUMBERS = new Set(['from', 'to']);

export function parseCommandLine(argv: string[]): { command: string | undefined; flags: Flags } {
  const flags: Flags = {};
  let command: string | undefined;
  let current: string | null = null;
  for (const word of argv) {
    if (word.startsWith('--')) {
      const name = word.slice(2);
      flags[name] = true;
      current = SWITCHES.has(name) ? null : name;
    } else if (current) {
      const prev = flags[current];
      flags[current] = prev === true ? word : `${prev} ${word}`;
      if (!NUMBERS.has(current)) current = null;
    } else if (command === undefined) command = word;
    else throw new Error(`unexpected argument "${word}"`);
  }
  return { command, flags };
}

function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

function num(flags: Flags, name: string): number | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0, not "${v}"`);
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
  const arrow = c.direction === 'inbound' ? `${c.phone} -> ext ${c.extension}` : `ext ${c.extension} -> ${c.phone}`;
  const extra = c.state === 'ended' ? ` (${c.duration ?? 0} s${c.recordingUrl ? `, recording ${c.recordingUrl}` : ''})` : '';
  return `${c.callId}  ${c.state.padEnd(8)} ${arrow}${extra}`;
}

export async function run(argv: string[]): Promise<number> {
  const { command, flags } = parseCommandLine(argv);
  if (!command || flags.help) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const base = str(flags, 'url') ?? process.env.SANDBOX_URL ?? 'http://127.0.0.1:8080';
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
      const outbound = command === 'dial' || (flags.to !== undefined && flags.from === undefined);
      const phone = str(flags, outbound ? 'to' : 'from');
      const extension = str(flags, 'ext');
      if (!phone) throw new Error(`${command} needs --${outbound ? 'to' : 'from'} <number>`);
      if (!extension) throw new Error(`${command} needs --ext <extension>`);
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
      console.error(`unknown command "${command}"\n${USAGE}`);
      return 2;
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
