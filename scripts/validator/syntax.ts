/**
 * script.js (and each part it loads) must parse as JavaScript: a file cut short or with stray
 * characters appended (`}}}(`) still starts with define([...]) and would pass every other check,
 * then fail in every Kommo page. esbuild (the repository's own bundler for the sandbox) parses
 * it; nothing is written. It reads modern JavaScript, so it refuses what no browser can parse,
 * not what an old one cannot.
 */
import { transformSync } from 'esbuild';
import type { Message } from 'esbuild';
import type { Fault } from './types';
import { fault } from './types';

/** A few characters of the line around the error: minified code is one long line. */
function excerpt(message: Message): string {
  const at = message.location;
  if (!at) return '';
  const from = Math.max(0, at.column - 20);
  const text = at.lineText.slice(from, at.column + 20).trim();
  return text ? `, near ${JSON.stringify(text)}` : '';
}

/** The syntax error of `text` as a fault, or null when it parses. */
export function checkSyntax(file: string, text: string): Fault | null {
  try {
    transformSync(text, { loader: 'js', logLevel: 'silent', sourcefile: file });
    return null;
  } catch (error) {
    const first = (error as { errors?: Message[] }).errors?.[0];
    if (!first) throw error;
    const where = first.location ? ` at line ${first.location.line}, column ${first.location.column + 1}` : '';
    return fault(file, `is not valid JavaScript: ${first.text}${where}${excerpt(first)}`, `rebuild it (npm run build) rather than edit it, and upload the ${file} the build wrote, whole`);
  }
}
