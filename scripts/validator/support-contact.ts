/**
 * manifest.json's `widget.support` (link and email) is what Kommo shows users and marketplace
 * reviewers as the way to reach the widget's maker. manifest.ts checks that they are a URL and an
 * address; this says when they are placeholders: an address on a domain reserved for examples
 * (RFC 2606, RFC 6761: example.com, *.test, *.invalid...), or the value this repository ships
 * in its manifest.json for whoever builds the widget to replace. A marketplace build
 * (`npm run validate -- --marketplace`) refuses them; any other build is only warned.
 */
import type { Fault } from './types';
import { fault, SUPPORT_PLACEHOLDER } from './types';
import { isRecord } from './text';

const FILE = 'manifest.json';

/** What the repository's manifest.json says until its builder puts their own contact there. */
export const TEMPLATE_SUPPORT = {
  link: 'https://github.com/kommo-telephony-widget/kommo-telephony-widget/issues',
  email: 'support@example.com',
} as const;

const RESERVED_HOST = /(^|\.)(example\.(com|net|org)|[^.]+\.(example|test|invalid|localhost)|localhost)$/i;

function hostOf(field: 'link' | 'email', value: string): string {
  if (field === 'email') return value.slice(value.lastIndexOf('@') + 1);
  try {
    return new URL(value).hostname;
  } catch {
    return ''; // not a URL: manifest.ts reports it
  }
}

/** Why `value` is a placeholder, or null when it looks like a real contact. */
function placeholderReason(field: 'link' | 'email', value: string): string | null {
  const host = hostOf(field, value);
  if (RESERVED_HOST.test(host)) return `${host} is a domain reserved for examples`;
  if (value.trim().toLowerCase() === TEMPLATE_SUPPORT[field].toLowerCase()) return 'the value this repository ships for you to replace';
  return null;
}

/**
 * One finding per placeholder, tagged SUPPORT_PLACEHOLDER; the caller (index.ts) makes it a
 * fault for a marketplace build and a warning otherwise.
 */
export function checkSupportContact(manifest: Record<string, unknown>, marketplace: boolean): Fault[] {
  const support = isRecord(manifest.widget) ? manifest.widget.support : undefined;
  if (!isRecord(support)) return []; // manifest.ts reports it missing
  const findings: Fault[] = [];
  for (const field of ['link', 'email'] as const) {
    const value = support[field];
    if (typeof value !== 'string') continue; // manifest.ts reports it
    const reason = placeholderReason(field, value);
    if (reason === null) continue;
    const what = field === 'link' ? 'the page where your users ask for help' : 'the address your users write to';
    const fix = marketplace
      ? `set widget.support.${field} to ${what}: Kommo's marketplace shows it to every account that installs the widget`
      : `set widget.support.${field} to ${what} before you publish (npm run validate -- --marketplace refuses a placeholder)`;
    findings.push({ ...fault(FILE, `widget.support.${field} is ${JSON.stringify(value)}, a placeholder (${reason})`, fix), rule: SUPPORT_PLACEHOLDER });
  }
  return findings;
}
