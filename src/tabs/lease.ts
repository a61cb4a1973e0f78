/**
 * The localStorage lease (for browsers without Web Locks), as pure functions: the record the
 * leader keeps renewing, and what a tab makes of it. The record is the truth: the last writer
 * of a claim wins, and a leader that finds someone else's live record steps down.
 */
export interface LeaseRecord {
  tabId: string;
  expiresAt: number;
}

export type LeaseVerdict = { kind: 'free' } | { kind: 'mine' } | { kind: 'held'; by: string };

export function encodeLease(record: LeaseRecord): string {
  return JSON.stringify(record);
}

export function parseLease(raw: string | null): LeaseRecord | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return null;
    const { tabId, expiresAt } = value as Record<string, unknown>;
    return typeof tabId === 'string' && tabId.length > 0 && typeof expiresAt === 'number' && Number.isFinite(expiresAt) ? { tabId, expiresAt } : null;
  } catch {
    return null;
  }
}

/**
 * A missing, unreadable or expired record is free. So is one that claims to live far longer
 * than a lease can (a clock jump, a foreign write): it would otherwise block every tab.
 */
export function judgeLease(record: LeaseRecord | null, tabId: string, now: number, ttlMs: number): LeaseVerdict {
  if (record === null || record.expiresAt <= now || record.expiresAt - now > 2 * ttlMs) return { kind: 'free' };
  return record.tabId === tabId ? { kind: 'mine' } : { kind: 'held', by: record.tabId };
}
