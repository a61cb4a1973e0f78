import type { Attention, TabPage } from './types';

/** This tab's attention now; `since` is kept while the user keeps looking. */
export function readAttention(page: TabPage, previous: Attention, now: number): Attention {
  const visible = page.isVisible();
  if (visible && page.hasFocus()) return previous.kind === 'looking' ? previous : { kind: 'looking', since: now };
  return visible ? { kind: 'visible' } : { kind: 'hidden' };
}

export function sameAttention(a: Attention, b: Attention): boolean {
  return a.kind === b.kind && (a.kind !== 'looking' || b.kind !== 'looking' || a.since === b.since);
}

/**
 * Which tab shows a pop-up: the one the user looked at most recently among those visible and
 * focused (two browser windows can both claim focus for a moment), else the leader itself.
 */
export function pickPopupTab(leaderId: string, tabs: ReadonlyMap<string, Attention>): string {
  let best: { id: string; since: number } | null = null;
  for (const [id, attention] of tabs) {
    if (attention.kind !== 'looking') continue;
    if (best === null || attention.since > best.since || (attention.since === best.since && id === leaderId)) {
      best = { id, since: attention.since };
    }
  }
  return best === null ? leaderId : best.id;
}
