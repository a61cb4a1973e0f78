/** The `--help` text and the one-line refusal, from a command's spec (command-line.ts). */
import type { CommandSpec, Flag, Flags, UsageError } from './command-line';

function flagName(name: string, flag: Flag): string {
  const long = flag.type === 'boolean' ? `--${name}` : `--${name} <${flag.value}>`;
  return flag.short ? `-${flag.short}, ${long}` : `    ${long}`;
}

/** Range, choices, default and environment variable: the second line of a flag's help. */
function flagFacts(flag: Flag): string {
  const facts: string[] = [];
  if (flag.type === 'integer') facts.push(`${flag.min}..${flag.max}`);
  if ((flag.type === 'string' || flag.type === 'list') && flag.choices) facts.push(`${flag.type === 'list' ? 'comma-separated, each ' : ''}one of ${flag.choices.join(', ')}`);
  const shown =
    flag.shownDefault ??
    (flag.type === 'boolean' ? undefined : flag.type === 'list' ? flag.default?.join(',') || undefined : flag.default?.toString());
  if (shown !== undefined) facts.push(`default ${shown}`);
  if (flag.type !== 'boolean' && flag.env) facts.push(`env ${flag.env}`);
  return facts.join('; ');
}

/** Two columns; a right column with several lines continues under its first. */
function table(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.min(36, Math.max(...rows.map(([left]) => left.length)) + 2);
  const pad = ' '.repeat(width + 2);
  return rows.map(([left, right]) => {
    const [first = '', ...rest] = right.split('\n');
    const head = left.length + 2 > width ? `  ${left}\n${pad}${first}` : `  ${left.padEnd(width)}${first}`;
    return [head, ...rest.map((line) => `${pad}${line}`)].join('\n');
  });
}

export function formatHelp<F extends Flags>(spec: CommandSpec<F>): string {
  const lines = [`usage: ${spec.usage}`, '', spec.summary];
  if (spec.commands?.length) lines.push('', 'Commands:', ...table(spec.commands));
  if (spec.positionals?.length) lines.push('', 'Arguments:', ...table(spec.positionals.map((p) => [p.name, p.description] as const)));
  const flags = Object.entries(spec.flags).map(([name, flag]) => {
    const facts = flagFacts(flag);
    return [flagName(name, flag), facts ? `${flag.description}\n${facts}` : flag.description] as const;
  });
  lines.push('', 'Flags:', ...table([...flags, ['-h, --help', 'print this text and exit']]));
  if (spec.environment?.length) lines.push('', 'Environment:', ...table(spec.environment));
  return `${lines.join('\n')}\n`;
}

/** The one-line refusal: `<name>: <what is wrong> (see --help)`. */
export function formatUsageError<F extends Flags>(spec: CommandSpec<F>, error: UsageError): string {
  return `${spec.name}: ${error.message} (see --help)\n`;
}
