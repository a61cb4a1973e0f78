/**
 * Card pages need the seeded entity's name: read it out of the CRM seed without depending on
 * more of its shape than "a list of records with id and name per entity type".
 */
export type CardType = 'contacts' | 'companies' | 'leads' | 'customers';

export const CARD_TYPES: readonly CardType[] = ['contacts', 'companies', 'leads', 'customers'];

export interface CardEntity {
  type: CardType;
  id: number;
  name: string;
  phones: string[];
}

function recordsOf(seed: unknown, type: CardType): unknown[] {
  if (!seed || typeof seed !== 'object') return [];
  const list = (seed as Record<string, unknown>)[type];
  return Array.isArray(list) ? list : [];
}

function phonesOf(record: Record<string, unknown>): string[] {
  const raw = record.phones ?? record.phone;
  if (typeof raw === 'string') return [raw];
  if (!Array.isArray(raw)) return [];
  return raw
    .map((p) => (typeof p === 'string' ? p : p && typeof p === 'object' ? (p as Record<string, unknown>).value : undefined))
    .filter((p): p is string => typeof p === 'string');
}

export function findEntity(seed: unknown, type: CardType, id: number): CardEntity | null {
  for (const record of recordsOf(seed, type)) {
    if (!record || typeof record !== 'object') continue;
    const r = record as Record<string, unknown>;
    if (Number(r.id) !== id) continue;
    const name = typeof r.name === 'string' ? r.name : '';
    return { type, id, name, phones: phonesOf(r) };
  }
  return null;
}

export function listEntities(seed: unknown, type: CardType): CardEntity[] {
  const out: CardEntity[] = [];
  for (const record of recordsOf(seed, type)) {
    if (!record || typeof record !== 'object') continue;
    const r = record as Record<string, unknown>;
    const id = Number(r.id);
    if (!Number.isFinite(id)) continue;
    out.push({ type, id, name: typeof r.name === 'string' ? r.name : '', phones: phonesOf(r) });
  }
  return out;
}
