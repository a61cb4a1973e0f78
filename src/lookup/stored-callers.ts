/**
 * The remembered callers' rules, pure: time is the `now` handed in, storage is the text read.
 *
 * A repeat caller after a page load pops up with the card remembered here, and the lookup asks
 * by_phone afterwards to refresh it (remembered.ts). The list is a customer list in the browser:
 * - Bounded: at most `maxEntries` (500) numbers, the least recently saved going first, each for
 *   `maxAgeMs` (7 days) from its last by_phone answer; an older one is not shown and not kept.
 * - Only what the pop-up needs, per normalised number (E.164): the card's type, id and shown name,
 *   and those of the contact/company holding the number for a lead/customer. No responsible user,
 *   no URL (rebuilt from type and id by card-url.ts): what is read back is input, checked again.
 * - Only found callers. "Not found" is not remembered: after it the user usually creates the
 *   contact, and a remembered "not found" would offer a duplicate (the in-memory cache keeps it
 *   60 s). A failure is never remembered. A refresh answering "not found" forgets the number.
 * - `freshMs` (60 s, the in-memory cache's life): an entry younger than that is not refreshed.
 */
import { cardPath, isCardId } from './card-url';
import { displayName } from './display-name';
import type { CrmEntity, EntityType } from './types';

export const CALLER_MEMORY = { maxEntries: 500, maxAgeMs: 7 * 24 * 60 * 60_000, freshMs: 60_000 } as const;
export type CallerMemoryRules = { readonly maxEntries: number; readonly maxAgeMs: number; readonly freshMs: number };

export interface RememberedCard {
  type: EntityType;
  id: number;
  name: string;
}

export interface RememberedCaller {
  /** When by_phone answered it (ms since the epoch). */
  at: number;
  card: RememberedCard;
  holder?: RememberedCard;
}

/** By E.164 number, the least recently saved first. */
export type Remembered = Map<string, RememberedCaller>;

const VERSION = 1;
const NUMBER = /^\+\d{3,20}$/;

/** The stored text as callers; `corrupted`: it was there but unreadable (not JSON, another shape). */
export function parseRemembered(text: string | null, now: number, rules: CallerMemoryRules = CALLER_MEMORY): { callers: Remembered; corrupted: boolean } {
  const callers: Remembered = new Map();
  if (text === null) return { callers, corrupted: false };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { callers, corrupted: true };
  }
  const list = isObject(data) && data.v === VERSION && isObject(data.callers) ? data.callers : null;
  if (list === null) return { callers, corrupted: true };
  const valid: Array<[string, RememberedCaller]> = [];
  for (const [number, raw] of Object.entries(list)) {
    const caller = NUMBER.test(number) ? callerFrom(raw) : null;
    if (caller && isCurrent(caller.at, now, rules)) valid.push([number, caller]);
  }
  valid.sort((a, b) => a[1].at - b[1].at);
  for (const [number, caller] of valid.slice(-rules.maxEntries)) callers.set(number, caller);
  return { callers, corrupted: false };
}

export function serializeRemembered(callers: Remembered): string {
  return JSON.stringify({ v: VERSION, callers: Object.fromEntries(callers) });
}

/** `callers` with this number saved last; the oldest go beyond `maxEntries`. */
export function rememberCaller(callers: Remembered, number: string, caller: RememberedCaller, rules: CallerMemoryRules = CALLER_MEMORY): Remembered {
  const next = new Map(callers);
  next.delete(number);
  next.set(number, caller);
  for (const oldest of next.keys()) {
    if (next.size <= rules.maxEntries) break;
    next.delete(oldest);
  }
  return next;
}

/** What is kept of a found caller. */
export function toRemembered(entity: CrmEntity, phoneEntity: CrmEntity | undefined, now: number): RememberedCaller {
  const card = (e: CrmEntity): RememberedCard => ({ type: e.type, id: e.id, name: e.name });
  return phoneEntity ? { at: now, card: card(entity), holder: card(phoneEntity) } : { at: now, card: card(entity) };
}

/** The cards as the lookup answers them (the URL rebuilt from type and id). */
export function fromRemembered(caller: RememberedCaller): { entity: CrmEntity; phoneEntity?: CrmEntity } {
  const entity = (c: RememberedCard): CrmEntity => ({ id: c.id, type: c.type, name: c.name, url: cardPath(c.type, c.id) ?? '' });
  return caller.holder ? { entity: entity(caller.card), phoneEntity: entity(caller.holder) } : { entity: entity(caller.card) };
}

/** none: ask by_phone; fresh: show it, no request; stale: show it, then refresh it in the background. */
export function rememberedUse(caller: RememberedCaller | undefined, now: number, rules: CallerMemoryRules = CALLER_MEMORY): 'none' | 'fresh' | 'stale' {
  if (caller === undefined || !isCurrent(caller.at, now, rules)) return 'none';
  return now - caller.at < rules.freshMs ? 'fresh' : 'stale';
}

/** Not older than `maxAgeMs`, and not from the future (a minute of clock slack). */
function isCurrent(at: number, now: number, rules: CallerMemoryRules): boolean {
  return now - at < rules.maxAgeMs && at <= now + rules.freshMs;
}

function callerFrom(raw: unknown): RememberedCaller | null {
  if (!isObject(raw) || typeof raw.at !== 'number' || !Number.isFinite(raw.at)) return null;
  const card = cardFrom(raw.card);
  if (card === null) return null;
  if (raw.holder === undefined) return { at: raw.at, card };
  const holder = cardFrom(raw.holder);
  return holder === null ? null : { at: raw.at, card, holder };
}

function cardFrom(raw: unknown): RememberedCard | null {
  if (!isObject(raw) || typeof raw.type !== 'string' || !isCardId(raw.id) || typeof raw.name !== 'string') return null;
  const type = raw.type as EntityType;
  const name = displayName(raw.name);
  return cardPath(type, raw.id) === null || name === '' ? null : { type, id: raw.id, name };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
