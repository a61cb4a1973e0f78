/** The remembered callers' pure rules (stored-callers.ts, caller-keys.ts): no storage, no clock. */
import { callerKeysToForget, callersKey } from '../../../src/lookup/caller-keys';
import {
  CALLER_MEMORY,
  fromRemembered,
  parseRemembered,
  rememberCaller,
  rememberedUse,
  serializeRemembered,
  toRemembered,
} from '../../../src/lookup/stored-callers';
import type { Remembered, RememberedCaller } from '../../../src/lookup/stored-callers';

const NOW = 1_700_000_000_000;
const DAY = 24 * 60 * 60_000;
const adam: RememberedCaller = { at: NOW, card: { type: 'contact', id: 5760184, name: 'Adam Noah' } };
const lead: RememberedCaller = {
  at: NOW,
  card: { type: 'lead', id: 5102790, name: 'First patch' },
  holder: { type: 'company', id: 6811297, name: 'Lama Company' },
};

const text = (callers: Record<string, unknown>) => JSON.stringify({ v: 1, callers });

describe('what is kept of a found caller, and what comes back', () => {
  test('type, id and name only (no responsible user, no URL); the URL is rebuilt from type and id', () => {
    const kept = toRemembered({ id: 5760184, type: 'contact', name: 'Adam Noah', url: '/contacts/detail/5760184', responsibleUserId: 8320148 }, undefined, NOW);
    expect(kept).toEqual(adam);
    expect(JSON.parse(serializeRemembered(new Map([['+18305803077', kept]])))).toEqual({ v: 1, callers: { '+18305803077': adam } });
    expect(fromRemembered(kept)).toEqual({ entity: { id: 5760184, type: 'contact', name: 'Adam Noah', url: '/contacts/detail/5760184' } });
  });

  test('a lead keeps the company holding the number', () => {
    const parsed = parseRemembered(serializeRemembered(new Map([['+12025550143', lead]])), NOW);
    expect(fromRemembered(parsed.callers.get('+12025550143')!)).toEqual({
      entity: { id: 5102790, type: 'lead', name: 'First patch', url: '/leads/detail/5102790' },
      phoneEntity: { id: 6811297, type: 'company', name: 'Lama Company', url: '/companies/detail/6811297' },
    });
  });
});

describe('age', () => {
  test('fresh under a minute (no refresh), stale up to 7 days (shown, then refreshed), then gone', () => {
    expect(CALLER_MEMORY).toEqual({ maxEntries: 500, maxAgeMs: 7 * DAY, freshMs: 60_000 });
    expect(rememberedUse(undefined, NOW)).toBe('none');
    expect(rememberedUse(adam, NOW + 59_999)).toBe('fresh');
    expect(rememberedUse(adam, NOW + 60_000)).toBe('stale');
    expect(rememberedUse(adam, NOW + 7 * DAY - 1)).toBe('stale');
    expect(rememberedUse(adam, NOW + 7 * DAY)).toBe('none');
  });

  test('reading drops what is older than 7 days, and what claims to be from the future', () => {
    const stored = text({
      '+18305803077': adam,
      '+12025550100': { ...adam, at: NOW - 7 * DAY },
      '+12025550101': { ...adam, at: NOW + 10 * 60_000 },
      '+12025550102': { ...adam, at: NOW - 7 * DAY + 1 },
    });
    expect([...parseRemembered(stored, NOW).callers.keys()]).toEqual(['+12025550102', '+18305803077']);
  });
});

describe('bounds', () => {
  const rules = { ...CALLER_MEMORY, maxEntries: 3 };
  const many = (n: number): Remembered => {
    let callers: Remembered = new Map();
    for (let i = 0; i < n; i += 1) callers = rememberCaller(callers, `+1202555${String(i).padStart(4, '0')}`, { ...adam, at: NOW + i }, rules);
    return callers;
  };

  test('the least recently saved goes first; saving a number again moves it last', () => {
    expect([...many(5).keys()]).toEqual(['+12025550002', '+12025550003', '+12025550004']);
    const again = rememberCaller(many(3), '+12025550000', { ...adam, at: NOW + 10 }, rules);
    const next = rememberCaller(again, '+12025559999', { ...adam, at: NOW + 11 }, rules);
    expect([...next.keys()]).toEqual(['+12025550002', '+12025550000', '+12025559999']);
  });

  test('the input map is not changed', () => {
    const before = many(3);
    rememberCaller(before, '+12025559999', adam, rules);
    expect(before.size).toBe(3);
  });

  test('a stored list over the bound keeps its most recent entries', () => {
    const entries = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`+1202555000${i}`, { ...adam, at: NOW - i }]));
    expect([...parseRemembered(text(entries), NOW, rules).callers.keys()]).toEqual(['+12025550002', '+12025550001', '+12025550000']);
  });

  test('500 callers of 120-character names stay far below the 5 MB of localStorage', () => {
    let callers: Remembered = new Map();
    for (let i = 0; i < 600; i += 1) callers = rememberCaller(callers, `+1202${String(i).padStart(7, '0')}`, { ...lead, card: { ...lead.card, name: 'n'.repeat(120) } });
    expect(callers.size).toBe(500);
    expect(serializeRemembered(callers).length).toBeLessThan(200_000);
  });
});

describe('corrupted or tampered data', () => {
  test.each([
    ['not JSON', '{"v":1,"callers":'],
    ['JSON of another shape', '[1,2,3]'],
    ['another version', JSON.stringify({ v: 2, callers: {} })],
    ['callers not an object', JSON.stringify({ v: 1, callers: 'x' })],
  ])('%s: corrupted, nothing read', (_name, stored) => {
    expect(parseRemembered(stored, NOW)).toEqual({ callers: new Map(), corrupted: true });
  });

  test('nothing stored: not corrupted', () => {
    expect(parseRemembered(null, NOW)).toEqual({ callers: new Map(), corrupted: false });
  });

  test('bad entries are dropped one by one, the good ones kept', () => {
    const stored = text({
      '+18305803077': adam,
      'not a number': adam,
      '+12025550100': { ...adam, card: { ...adam.card, type: 'deal' } },
      '+12025550101': { ...adam, card: { ...adam.card, id: '42' } },
      '+12025550102': { ...adam, card: { ...adam.card, id: -1 } },
      '+12025550103': { ...adam, card: { ...adam.card, name: '  ' } },
      '+12025550104': { ...adam, at: 'yesterday' },
      '+12025550105': { ...lead, holder: { type: 'company' } },
      '+12025550106': null,
    }).replace('"callers":{', `"callers":{"__proto__":${JSON.stringify(adam)},`);
    const parsed = parseRemembered(stored, NOW);
    expect(parsed.corrupted).toBe(false);
    expect([...parsed.callers.keys()]).toEqual(['+18305803077']);
  });

  test('a name read back is cleaned as a CRM name is (no bidi controls, at most 120 characters)', () => {
    const stored = text({ '+18305803077': { ...adam, card: { ...adam.card, name: `\u202EAdam${'x'.repeat(300)}` } } });
    const name = parseRemembered(stored, NOW).callers.get('+18305803077')!.card.name;
    expect(name.startsWith('Adam')).toBe(true);
    expect(Array.from(name)).toHaveLength(120);
  });
});

describe('key scoping', () => {
  test('one key per account and user; another user or account is another key', () => {
    const key = callersKey('30224233', '504141');
    expect(key).toBe('kommo-telephony/callers/v1/30224233/504141');
    expect(callersKey('30224233', '504142')).not.toBe(key);
    expect(callersKey('30224234', '504141')).not.toBe(key);
    // No id can reach into another's key.
    expect(callersKey('1/2', '3')).not.toBe(callersKey('1', '2/3'));
  });

  test("what to forget: every user's remembered callers but the one kept, nothing else of the page", () => {
    const keys = [callersKey('1', 'a'), callersKey('1', 'b'), 'kommo-telephony/callers/v0/old', 'kommo-telephony/v1/lease/1:a', 'sandbox.user'];
    expect(callerKeysToForget(keys, callersKey('1', 'a'))).toEqual([callersKey('1', 'b'), 'kommo-telephony/callers/v0/old']);
    expect(callerKeysToForget(keys)).toEqual([callersKey('1', 'a'), callersKey('1', 'b'), 'kommo-telephony/callers/v0/old']);
  });
});
