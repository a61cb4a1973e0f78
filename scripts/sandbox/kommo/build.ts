/**
 * Node side: the double compiled for the browser with esbuild (one iife, ES2020), once per
 * process. The sandbox serves it as /sandbox/host.js; the jsdom harness serves the same file.
 */
import path from 'node:path';
import { buildSync } from 'esbuild';

let bundle: string | null = null;

/** Throws esbuild's error (file, line, message) when the double does not compile. */
export function kommoDoubleScript(): string {
  if (bundle !== null) return bundle;
  const result = buildSync({
    entryPoints: [path.join(__dirname, 'index.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  bundle = `/* The sandbox's Kommo double, built from scripts/sandbox/kommo/ (do not edit). */\n${result.outputFiles[0]!.text}`;
  return bundle;
}
