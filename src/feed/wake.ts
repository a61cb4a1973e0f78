/**
 * Notices when the page comes back: the browser went online, the machine woke from sleep
 * (a periodic timer fired far later than scheduled), or the tab became visible after a long
 * hidden gap. Each calls `onWake`, which reconnects or polls at once.
 */
import type { Clock } from '../core/clock';
import { createSingleTimer } from '../core/timer';

export const WAKE_TIMING = {
  /** How often the drift check runs. */
  checkEveryMs: 5_000,
  /** Lateness that means "the machine slept" while visible. */
  visibleDriftMs: 15_000,
  /** Hidden tabs are throttled (Chrome: timers once a minute), so only a much larger lateness counts. */
  hiddenDriftMs: 130_000,
  /** A tab hidden this long may have missed its heartbeats. */
  longHiddenMs: 60_000,
} as const;

export interface WakePage {
  isVisible(): boolean;
  onVisibilityChange(handler: () => void): () => void;
  onOnline(handler: () => void): () => void;
}

export interface WakeWatcher {
  stop(): void;
}

/** Pure: did a timer scheduled `scheduledMs` ago, that actually took `elapsedMs`, sleep through? */
export function isWakeDrift(scheduledMs: number, elapsedMs: number, visible: boolean): boolean {
  return elapsedMs - scheduledMs > (visible ? WAKE_TIMING.visibleDriftMs : WAKE_TIMING.hiddenDriftMs);
}

export function watchWake(clock: Clock, page: WakePage, onWake: (why: 'online' | 'drift' | 'visible') => void): WakeWatcher {
  const timer = createSingleTimer(clock);
  let hiddenSince: number | null = page.isVisible() ? null : clock.now();

  function arm(): void {
    const scheduledAt = clock.now();
    timer.set(WAKE_TIMING.checkEveryMs, () => {
      const elapsed = clock.now() - scheduledAt;
      arm();
      if (isWakeDrift(WAKE_TIMING.checkEveryMs, elapsed, page.isVisible())) onWake('drift');
    });
  }

  const offOnline = page.onOnline(() => onWake('online'));
  const offVisibility = page.onVisibilityChange(() => {
    if (!page.isVisible()) {
      hiddenSince ??= clock.now();
      return;
    }
    const gap = hiddenSince === null ? 0 : clock.now() - hiddenSince;
    hiddenSince = null;
    if (gap >= WAKE_TIMING.longHiddenMs) onWake('visible');
  });
  arm();

  return {
    stop() {
      timer.clear();
      offOnline();
      offVisibility();
    },
  };
}
