/**
 * i18n/<locale>.json: one structure in every locale (every key of every file present in every
 * other, same kind of value), strings only, none empty, and no English left in other locales.
 */
import type { Fault, WidgetFiles } from './types';
import { fault } from './types';
import { isRecord, readJson } from './text';

export type Locales = Map<string, Record<string, unknown>>;

export function loadLocales(pkg: WidgetFiles, faults: Fault[]): Locales {
  const locales: Locales = new Map();
  for (const [name, bytes] of pkg.files) {
    const match = /^i18n\/([^/]+)\.json$/.exec(name);
    if (!match) continue;
    const data = readJson(name, bytes, faults);
    if (data === null) continue;
    if (!isRecord(data)) {
      faults.push(fault(name, 'is not a JSON object of sections', 'make it an object like {"widget": {"name": "..."}}'));
      continue;
    }
    locales.set(match[1] as string, data);
  }
  return locales;
}

/** `a.b.c` -> 'string' | 'object' | other type, for every node. */
function flatten(value: Record<string, unknown>, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [key, child] of Object.entries(value)) {
    const at = prefix ? `${prefix}.${key}` : key;
    if (isRecord(child)) {
      out.set(at, 'object');
      flatten(child, at, out);
    } else {
      out.set(at, Array.isArray(child) ? 'array' : child === null ? 'null' : typeof child);
    }
  }
  return out;
}

/** Looks up `section.key` (any depth) in one locale. */
export function lookupKey(locale: Record<string, unknown>, key: string): unknown {
  let node: unknown = locale;
  for (const part of key.split('.')) {
    if (!isRecord(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** Sentences of at least four words; short labels ("Token", "WebSocket URL") may be the same in two languages. */
const isSentence = (text: string) => (text.match(/\p{L}{2,}/gu) ?? []).length >= 4;

export function checkLocales(locales: Locales, reference = 'en'): Fault[] {
  const faults: Fault[] = [];
  const flat = new Map([...locales].map(([locale, data]) => [locale, flatten(data)]));
  const union = new Map<string, string>();
  for (const [locale, keys] of flat) for (const key of keys.keys()) if (!union.has(key)) union.set(key, locale);

  for (const [locale, keys] of flat) {
    const file = `i18n/${locale}.json`;
    for (const [key, owner] of union) {
      const kind = keys.get(key);
      const expected = flat.get(owner)?.get(key);
      if (kind === undefined) {
        // Report the topmost missing node only.
        const parent = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : null;
        if (parent && keys.get(parent) === undefined) continue;
        faults.push(fault(file, `lacks the key "${key}" (present in i18n/${owner}.json)`, `add "${key}" to ${file}, translated`));
      } else if (expected !== undefined && kind !== expected && (kind === 'object' || expected === 'object')) {
        faults.push(fault(file, `has "${key}" as ${kind}, but i18n/${owner}.json has it as ${expected}`, `give every locale the same structure for "${key}"`));
      } else if (kind !== 'object' && kind !== 'string') {
        faults.push(fault(file, `has "${key}" as ${kind}, not a string`, `make "${key}" a string`));
      }
    }
    const data = locales.get(locale) as Record<string, unknown>;
    for (const [key, kind] of keys) {
      if (kind !== 'string') continue;
      const text = lookupKey(data, key) as string;
      if (text.trim() === '') faults.push(fault(file, `has an empty string for "${key}"`, `translate "${key}"`));
      if (locale !== reference && locales.has(reference)) {
        const english = lookupKey(locales.get(reference) as Record<string, unknown>, key);
        if (typeof english === 'string' && english === text && isSentence(text)) {
          faults.push(fault(file, `has "${key}" identical to i18n/${reference}.json ("${text.slice(0, 60)}")`, `translate "${key}" into ${locale}`));
        }
      }
    }
  }
  return faults;
}
