/**
 * Checks a widget package the way Kommo's upload will see it.
 *   npx tsx scripts/validate.ts [folder-or-zip]     (default: dist/widget.zip)
 * Prints each fault as `file: problem. Fix: ...` and exits 1 when there is any.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineCommand, readCommandLine } from '../relay/src/command-line';
import { formatFault, validateWidget } from './validator';

const VALIDATE_COMMAND = defineCommand({
  name: 'validate',
  usage: 'npm run validate -- [folder-or-zip]',
  summary: [
    "Checks a widget package the way Kommo's upload will see it, and prints each fault as",
    '`file: problem. Fix: ...`. Exit code 0: no fault; 1: faults; 2: nothing to check there, or a wrong flag.',
  ].join('\n'),
  positionals: [{ name: 'folder-or-zip', description: 'a widget folder or zip (default dist/widget.zip)' }],
  flags: {},
});

async function main(): Promise<number> {
  const { positionals } = readCommandLine(VALIDATE_COMMAND);
  const target = path.resolve(positionals[0] ?? path.join(__dirname, '..', 'dist', 'widget.zip'));
  if (!fs.existsSync(target)) {
    console.error(`${target}: not found. Fix: run "npm run build", or pass a widget folder or zip`);
    return 2;
  }
  let faults;
  try {
    faults = await validateWidget(target);
  } catch (error) {
    console.error(`${target}: cannot be read (${(error as Error).message}). Fix: pass a widget folder or a valid zip`);
    return 2;
  }
  if (faults.length === 0) {
    console.log(`${target}: OK`);
    return 0;
  }
  console.error(`${target}: ${faults.length} fault${faults.length === 1 ? '' : 's'}`);
  for (const f of faults) console.error(`  ${formatFault(f)}`);
  return 1;
}

main().then((code) => process.exit(code));
