/**
 * `APP.widgets.notificationsPhone({ns, click})`: Kommo's dialer button in the left menu, whose
 * click runs the widget's handler (Kommo's Portuguese developer pages, "making calls inside
 * Kommo"; ../shared/spec/kommo-platform.md "Click-to-call"). The double records each
 * registration and guards the handler: one that throws or rejects is recorded as an error and
 * never breaks the page. The page shows the button in its menu (`#areas`, the double's left menu).
 */
import { byId, element } from './dom';
import type { Recorder } from './recorder';

export interface DialerRegistration {
  /** The widget's namespace; one button per namespace (a second registration replaces the handler). */
  ns: string;
  click: () => unknown;
}

/** What the page shows; a harness without page chrome has none (the registration is still recorded). */
export interface DialerDisplay {
  show(ns: string, press: () => void): void;
}

export interface HostWidgets {
  notificationsPhone(options: DialerRegistration): void;
}

const ERROR_CALLBACK = 'notificationsPhone:click';

export function createAppWidgets(recorder: Recorder, display: DialerDisplay | null): HostWidgets {
  return {
    notificationsPhone(options) {
      const ns = String(options?.ns ?? '');
      const click = options?.click;
      const clickable = typeof click === 'function';
      const press = () => {
        if (!clickable) return;
        try {
          const result = click();
          if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
            (result as PromiseLike<unknown>).then(undefined, (error: unknown) => recorder.error(ERROR_CALLBACK, error));
          }
        } catch (error) {
          recorder.error(ERROR_CALLBACK, error);
        }
      };
      recorder.record.dialers.push({ ns, clickable, press });
      if (!clickable) {
        recorder.error('notificationsPhone', `click must be a function, got ${typeof click}`);
        return;
      }
      display?.show(ns, press);
    },
  };
}

/** The "Dialer" button in the page's menu, one per namespace. */
export function createDialerMenu(): DialerDisplay {
  const presses = new Map<string, () => void>();
  return {
    show(ns, press) {
      const known = presses.has(ns);
      presses.set(ns, press);
      if (known) return;
      const button = element('button', { type: 'button', class: 'dialer', 'data-testid': 'dialer', 'data-ns': ns, title: 'Dialer (the widget\u2019s click-to-call)' }, 'Dialer');
      button.addEventListener('click', () => presses.get(ns)?.());
      byId('areas').append(button);
    },
  };
}
