/**
 * Checks a widget package the way Kommo's upload will see it.
 *   npx tsx scripts/validate.ts [--marketplace] [folder-or-zip]     (default: dist/widget.zip)
 * Prints each fault as `file: problem. Fix: ...` and exits 1 when there is any; warnings are
 * printed too and do not change the exit code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineCommand, readCommandLine } from '../relay/src/command-line';
import { checkWidget, formatFault } from './validator';

const VALIDATE_COMMAND = defineCommand({
  name: 'validate',
  usage: 'npm run validate -- [--marketplace] [folder-or-zip]',
  summary: [
    "Checks a widget package the way Kommo's upload will see it, and prints each fault as",
    '`file: problem. Fix: ...`, then each warning (`warning: ...`): a placeholder support link or',
    'e-mail in manifest.json is a warning, and a fault with --marketplace.',
    'Exit code 0: no fault (warnings allowed); 1: faults; 2: nothing to check there, or a wrong flag.',
  ].join('\n'),
  positionals: [{ name: 'folder-or-zip', description: 'a widget folder or zip (default dist/widget.zip)' }],
  flags: {
    marketplace: {
      type: 'boolean',
      description: "the package is for Kommo's marketplace: a placeholder widget.support.link or\n.email in manifest.json (example.com, the repository's own) is a fault, not a warning",
    },
  },
});

async function main(): Promise<number> {
  const { positionals, values } = readCommandLine(VALIDATE_COMMAND);
  const target = path.resolve(positionals[0] ?? path.join(__dirname, '..', 'dist', 'widget.zip'));
  if (!fs.existsSync(target)) {
    console.error(`${target}: not found. Fix: run "npm run build", or pass a widget folder or zip`);
    return 2;
  }
  let findings;
  try {
    findings = await checkWidget(target, { marketplace: values.marketplace });
  } catch (error) {
    console.error(`${target}: cannot be read (${(error as Error).message}). Fix: pass a widget folder or a valid zip`);
    return 2;
  }
  const { faults, warnings } = findings;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (faults.length === 0) console.log(`${target}: OK${warnings.length ? ` (${plural(warnings.length, 'warning')})` : ''}`);
  else console.error(`${target}: ${plural(faults.length, 'fault')}${warnings.length ? `, ${plural(warnings.length, 'warning')}` : ''}`);
  for (const f of faults) console.error(`  ${formatFault(f)}`);
  for (const f of warnings) console.error(`  warning: ${formatFault(f)}`);
  return faults.length === 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
