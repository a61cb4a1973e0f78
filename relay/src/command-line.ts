/**
 * Command lines: flags read by node:util `parseArgs` (strict) from a table that also writes the
 * `--help` text, environment fallbacks, integer ranges, and a one-line message with exit code 2
 * for a wrong flag or value. The relay's `main.ts` uses it; so do the scripts' command lines
 * (tooling may import the relay; the relay imports nothing outside relay/ but src/protocol).
 */
import { parseArgs } from 'node:util';
import { formatHelp, formatUsageError } from './command-help';

interface FlagBase {
  /** One line for `--help`. */
  description: string;
  short?: string;
  /** The default as `--help` shows it, when the command works it out itself (a path, a `--quick` size). */
  shownDefault?: string;
}

export interface BooleanFlag extends FlagBase {
  type: 'boolean';
}

interface ValueFlag extends FlagBase {
  /** The value's name in `--help`: `--port <n>`. */
  value: string;
  /** Read when the flag is absent (an empty variable counts as unset). */
  env?: string;
}

export interface StringFlag extends ValueFlag {
  type: 'string';
  default?: string;
  choices?: readonly string[];
  /** A secret: its environment variable set but empty is refused, not taken as unset (an empty secret is no secret). */
  secret?: boolean;
}

export interface IntegerFlag extends ValueFlag {
  type: 'integer';
  default?: number;
  min: number;
  max: number;
}

/** Comma-separated names, each one of `choices`. */
export interface ListFlag extends ValueFlag {
  type: 'list';
  default?: readonly string[];
  choices: readonly string[];
}

export type Flag = BooleanFlag | StringFlag | IntegerFlag | ListFlag;
export type Flags = Record<string, Flag>;

export interface CommandSpec<F extends Flags> {
  /** The program's name in error messages. */
  name: string;
  /** How to start it, after `usage: `. */
  usage: string;
  /** What it does. */
  summary: string;
  /** Sub-commands, for a command line that has them: [synopsis, what it does]. */
  commands?: ReadonlyArray<readonly [string, string]>;
  /** The arguments that are not flags, in order; more of them is an error. */
  positionals?: ReadonlyArray<{ name: string; description: string }>;
  flags: F;
  /** Environment variables read elsewhere than as a flag's fallback: [name, meaning]. */
  environment?: ReadonlyArray<readonly [string, string]>;
}

type ValueOf<T extends Flag> = T extends BooleanFlag
  ? boolean
  : T extends ListFlag
    ? string[]
    : T extends IntegerFlag
      ? T extends { default: number }
        ? number
        : number | undefined
      : T extends { default: string }
        ? string
        : string | undefined;

export type FlagValues<F extends Flags> = { -readonly [K in keyof F]: ValueOf<F[K]> };

export interface CommandLine<F extends Flags> {
  values: FlagValues<F>;
  positionals: string[];
}

/** A wrong flag or value: the message names it; the command exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Declares a command line; `const` keeps the defaults' types, so a flag with one is never undefined. */
export { formatHelp, formatUsageError } from './command-help';

export function defineCommand<const F extends Flags>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

/** Node's parseArgs messages, shortened to the flag and what is wrong with it. */
function usageErrorFrom(error: unknown): UsageError {
  const { code, message } = error as { code?: string; message?: string };
  const text = String(message ?? error);
  const quoted = /'([^']+)'/.exec(text)?.[1] ?? '';
  const flag = quoted.replace(/ <value>$/, '').split(', ').pop() ?? quoted;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown flag ${flag}`);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/argument missing/.test(text)) return new UsageError(`${flag} needs a value`);
    if (/does not take an argument/.test(text)) return new UsageError(`${flag} takes no value`);
    if (/ambiguous/.test(text)) return new UsageError(`${flag} needs a value (for one starting with "-", write ${flag}=<value>)`);
  }
  return new UsageError(text.split(/[.\n]/)[0] ?? text);
}

function integer(raw: string, where: string, flag: IntegerFlag): number {
  const value = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < flag.min || value > flag.max) {
    throw new UsageError(`${where} must be an integer ${flag.min}..${flag.max}, got "${raw}"`);
  }
  return value;
}

function convert(name: string, flag: Flag, raw: string | boolean | undefined, env: NodeJS.ProcessEnv): unknown {
  if (flag.type === 'boolean') return raw === true;
  let where = `--${name}`;
  let text = raw as string | undefined;
  if (text === undefined && flag.type === 'string' && flag.secret && flag.env && env[flag.env] === '') throw new UsageError(`${flag.env} (for --${name}) is set but empty`);
  if (text === undefined && flag.env && env[flag.env]) {
    text = env[flag.env];
    where = `${flag.env} (for --${name})`;
  }
  if (text === undefined) return flag.type === 'list' ? [...(flag.default ?? [])] : flag.default;
  if (text.trim() === '') throw new UsageError(`${where} needs a value`);
  if (flag.type === 'integer') return integer(text, where, flag);
  if (flag.type === 'list') {
    const items = text.split(',').map((item) => item.trim()).filter(Boolean);
    const wrong = items.find((item) => !flag.choices.includes(item));
    if (wrong !== undefined) throw new UsageError(`${where}: "${wrong}" is not one of ${flag.choices.join(', ')}`);
    return items;
  }
  if (flag.choices && !flag.choices.includes(text)) throw new UsageError(`${where} must be one of ${flag.choices.join(', ')}, got "${text}"`);
  return text;
}

/** Parses `argv` (without node and the script); `null` means `--help` was asked for. Throws UsageError. */
export function parseCommandLine<F extends Flags>(spec: CommandSpec<F>, argv: readonly string[], env: NodeJS.ProcessEnv = {}): CommandLine<F> | null {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, flag] of Object.entries(spec.flags)) {
    options[name] = { type: flag.type === 'boolean' ? 'boolean' : 'string', ...(flag.short ? { short: flag.short } : {}) };
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (error) {
    throw usageErrorFrom(error);
  }
  if (parsed.values.help === true) return null;
  const extra = parsed.positionals[spec.positionals?.length ?? 0];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(spec.flags)) values[name] = convert(name, flag, parsed.values[name], env);
  return { values: values as FlagValues<F>, positionals: parsed.positionals };
}

export interface CommandIo {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
  exit: (code: number) => never;
}

const processIo = (): CommandIo => ({
  argv: process.argv.slice(2),
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
});

/** The command line of this process: `--help` prints the usage and exits 0, a UsageError one line and exit 2. */
export function readCommandLine<F extends Flags>(spec: CommandSpec<F>, io: Partial<CommandIo> = {}): CommandLine<F> {
  const { argv, env, out, err, exit } = { ...processIo(), ...io };
  try {
    const line = parseCommandLine(spec, argv, env);
    if (line === null) {
      out(formatHelp(spec));
      return exit(0);
    }
    return line;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(formatUsageError(spec, error));
    return exit(2);
  }
}
