/**
 * The settings modal's code (settings-modal.ts and what only it uses) is not in script.js: it is
 * settings.js, a second AMD module in the widget's folder, loaded with the host's RequireJS when
 * the admin opens the settings. Kommo serves the widget's files under `this.params.path`
 * (https://developers.kommo.com/docs/script-js#params). If the file cannot load, the modal says
 * so and Kommo's own fields still work.
 */
import type { Logger } from '../core/logger';
import { settingsRules } from '../settings/rules';
import type { Host } from './host';
import type { Lifecycle } from './lifecycle';
import type { openSettings } from './settings-modal';

/** The slice of the page's RequireJS used (https://requirejs.org/docs/api.html#errbacks). */
interface RequireJs {
  (deps: string[], loaded: (module: { openSettings: typeof openSettings }) => void, failed: (error: unknown) => void): void;
  undef?(id: string): void;
}

export const SETTINGS_FILE = 'settings.js';

/** Opens the settings' checks once settings.js is there; returns the undo (also before it arrives). */
export function openSettingsLazily($: JQueryStatic, $body: JQuery, host: Host, lifecycle: Lifecycle, widgetPath: string | undefined, logger: Logger): () => void {
  let close: (() => void) | null = null;
  let closed = false;
  const unavailable = (error: unknown) => {
    logger.warn(`the settings checks did not load (${SETTINGS_FILE})`, { error: String(error) });
    if (closed) return;
    const text = host.strings('settings')['panel_unavailable'];
    const $message = $('<div class="telephony-settings-check" data-testid="telephony-settings-unavailable" role="alert"></div>');
    $message.text(typeof text === 'string' ? text : 'The settings check could not be loaded.');
    $body.append($message);
    close = () => $message.remove();
  };
  const requirejs = (window as unknown as { requirejs?: RequireJs }).requirejs;
  const url = `${(widgetPath ?? '').replace(/\/+$/, '')}/${SETTINGS_FILE}`;
  if (!requirejs || !widgetPath) {
    unavailable(!requirejs ? 'no RequireJS on the page' : 'no params.path');
  } else {
    requirejs(
      [url],
      (module) => {
        if (closed) return;
        try {
          close = module.openSettings($, $body, host, lifecycle, settingsRules);
        } catch (error) {
          unavailable(error);
        }
      },
      (error) => {
        // Forget the failure so that opening the settings again tries again.
        requirejs.undef?.(url);
        unavailable(error);
      },
    );
  }
  return () => {
    closed = true;
    close?.();
  };
}
