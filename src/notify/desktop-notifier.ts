/**
 * The desktop notifications' shell in the leading tab: it feeds the decisions
 * (desktop-machine.ts) with the call changes, the lookup's answers and the pop-ups this tab
 * displays, and performs them over the injected `DesktopNotifications`, keeping the one handle
 * per shown call that `close()` needs. Never throws: nothing here may break the calls.
 */
import type { Logger } from '../core/logger';
import { runQueued } from '../core/queued-machine';
import type { CallChange } from '../feed/types';
import type { LookupResult } from '../lookup/types';
import { initialDesktopState, offersPermission, stepDesktop } from './desktop-machine';
import type { DesktopEffect, DesktopInput } from './desktop-machine';
import { withDesktopOffer } from './desktop-link';
import type { DesktopStrings } from './desktop-strings';
import { desktopNote } from './desktop-text';
import type { DesktopNotifications, DesktopShown } from './desktop-types';
import type { NotifyStrings } from './strings';
import type { CallPopup } from './types';

export interface DesktopNotifierDeps {
  desktop: DesktopNotifications;
  strings: DesktopStrings;
  notify: NotifyStrings;
  /** This tab is visible now (`document.visibilityState`). */
  isVisible(): boolean;
  logger: Logger;
}

export interface DesktopNotifier {
  handle(change: CallChange): void;
  /** The lookup answered for this number (as the PBX sent it). */
  lookedUp(phone: string, result: LookupResult): void;
  /** A pop-up this tab displays: the tab layer routed it here. */
  displayed(popup: CallPopup): void;
  /** The pop-up, with the permission offer when it is this leader's first of an incoming call and the browser was not asked. */
  offer(popup: CallPopup): CallPopup;
  /** Closes every notification still shown. */
  dispose(): void;
}

export function createDesktopNotifier(deps: DesktopNotifierDeps): DesktopNotifier {
  const { desktop, logger } = deps;
  const shown = new Map<string, DesktopShown>();
  let offered = false;
  let disposed = false;

  const guard = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      logger.warn(`desktop notification: ${what} failed`, { error: String(error) });
    }
  };

  const perform = (effect: DesktopEffect) =>
    guard(effect.kind, () => {
      switch (effect.kind) {
        case 'show': {
          const { callId } = effect;
          const handle = desktop.show(desktopNote(effect.call, effect.lookup, deps.strings, deps.notify), {
            click: () => dispatch({ kind: 'clicked', callId }),
            close: () => {
              shown.delete(callId);
              dispatch({ kind: 'dismissed', callId });
            },
          });
          if (handle) shown.set(callId, handle);
          else dispatch({ kind: 'dismissed', callId });
          return;
        }
        case 'close': {
          const handle = shown.get(effect.callId);
          shown.delete(effect.callId);
          return handle?.close();
        }
        case 'open':
          return desktop.open(effect.path);
      }
    });

  const machine = runQueued(initialDesktopState, stepDesktop, perform);
  function dispatch(input: DesktopInput): void {
    if (disposed && input.kind !== 'stop') return;
    guard(input.kind, () => machine.dispatch(input));
  }

  return {
    handle: (change) => dispatch({ kind: 'change', change }),
    lookedUp: (phone, result) => dispatch({ kind: 'looked-up', phone, result }),
    displayed(popup) {
      if (typeof popup.callId !== 'string') return;
      const callId = popup.callId;
      guard('displayed', () => dispatch({ kind: 'displayed', callId, hidden: !deps.isVisible(), permission: desktop.permission() }));
    },
    offer(popup) {
      let permission: ReturnType<DesktopNotifications['permission']> = 'unsupported';
      guard('permission', () => void (permission = desktop.permission()));
      if (!offersPermission(machine.state, popup.callId, permission, offered)) return popup;
      offered = true;
      return withDesktopOffer(popup, deps.strings.offer);
    },
    dispose() {
      if (disposed) return;
      dispatch({ kind: 'stop' });
      disposed = true;
    },
  };
}
