/**
 * The settings modal's code (settings-modal.ts and what only it uses) is not in script.js: it is
 * settings.js, a widget part (widget-part.ts) loaded when the admin opens the settings. If the file cannot load, the modal says
 * so and Kommo's own fields still work.
 */
import type { Logger } from '../core/logger';
import { settingsRules } from '../settings/rules';
import type { Host } from './host';
import type { Lifecycle } from './lifecycle';
import type { openSettings } from './settings-modal';
import { loadWidgetPart, WIDGET_PARTS } from './widget-part';

export const SETTINGS_FILE = WIDGET_PARTS.settings.slice(1);

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
  loadWidgetPart<{ openSettings: typeof openSettings }>(
    'settings',
    widgetPath,
    (module) => {
      if (closed) return;
      try {
        close = module.openSettings($, $body, host, lifecycle, settingsRules);
      } catch (error) {
        unavailable(error);
      }
    },
    unavailable,
  );
  return () => {
    closed = true;
    close?.();
  };
}
