/**
 * The leader's desktop notifications (src/notify/desktop-*.ts) tied to its calls: the feed's
 * changes, the lookup's answers (so the notification names the caller as the pop-up does), the
 * pop-ups the tab layer displays in this tab, and the permission link in the first pop-up. In
 * leader.js with the rest of the call code; without a `desktop` (tests, a host without it)
 * everything passes through unchanged.
 */
import type { CallChange } from '../feed/types';
import type { CallerLookup } from '../lookup/types';
import { createDesktopNotifier } from '../notify/desktop-notifier';
import { desktopStringsFrom } from '../notify/desktop-strings';
import type { CallPopup } from '../notify/types';
import type { LeaderDeps } from './leader';

export interface DesktopCalls {
  /** The lookup, its answers seen by the desktop notifications too. */
  lookup(inner: CallerLookup): CallerLookup;
  /** The pop-up as it goes to the tabs (the first one may carry the permission link). */
  popup(popup: CallPopup): CallPopup;
  handle(change: CallChange): void;
  stop(): void;
}

const PASS_THROUGH: DesktopCalls = { lookup: (inner) => inner, popup: (popup) => popup, handle() {}, stop() {} };

export function desktopCalls(deps: Pick<LeaderDeps, 'desktop' | 'strings' | 'page' | 'logger' | 'onDisplayed'>): DesktopCalls {
  const { desktop } = deps;
  if (!desktop) return PASS_THROUGH;
  const notifier = createDesktopNotifier({
    desktop,
    strings: desktopStringsFrom(deps.strings.desktop),
    notify: deps.strings.notify,
    isVisible: () => deps.page.isVisible(),
    logger: deps.logger,
  });
  const offDisplayed = deps.onDisplayed?.((popup) => notifier.displayed(popup));
  return {
    lookup: (inner) => ({
      peek: inner.peek && ((raw) => {
        const result = inner.peek?.(raw);
        if (result !== undefined) notifier.lookedUp(raw, result);
        return result;
      }),
      findByNumber: (raw) =>
        inner.findByNumber(raw).then((result) => {
          notifier.lookedUp(raw, result);
          return result;
        }),
      dispose: () => inner.dispose(),
    }),
    popup: (popup) => notifier.offer(popup),
    handle: (change) => notifier.handle(change),
    stop() {
      offDisplayed?.();
      notifier.dispose();
    },
  };
}
