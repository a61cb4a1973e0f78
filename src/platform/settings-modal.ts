/**
 * The `settings` callback's work: Kommo has rendered the manifest's fields in its modal; we add
 * the live checks (src/platform/settings-panel.ts) and a line saying what the connection is
 * doing now, so an admin sees "wrong token" instead of silence.
 * https://developers.kommo.com/docs/script-js#settings
 */
import type { SettingsRules } from '../settings/rules';
import type { Host } from './host';
import type { Lifecycle } from './lifecycle';
import { connectionStatusText, connectionWarningText } from './connection-status';
import { renderSettingsPanel } from './settings-panel';

export function openSettings($: JQueryStatic, $body: JQuery, host: Host, lifecycle: Lifecycle, rules: SettingsRules): () => void {
  const strings = host.strings('settings');
  const text = (key: string) => (typeof strings[key] === 'string' ? (strings[key] as string) : key);
  const panel = renderSettingsPanel($body, {
    $,
    rules,
    strings: text,
    ctx: { pageProtocol: window.location.protocol, userId: host.user()?.id ?? null },
    initial: host.rawSettings(),
  });
  const statusStrings = host.strings('status');
  const statusText = (key: string) => (typeof statusStrings[key] === 'string' ? (statusStrings[key] as string) : key);
  const $status = $('<div class="telephony-connection-status" data-testid="telephony-status"></div>');
  $status.text(connectionStatusText(lifecycle, statusText));
  $body.append($status);
  const warning = connectionWarningText(lifecycle, statusText);
  const $warning = warning === null ? null : $('<div class="telephony-access-warning" data-testid="telephony-access-warning"></div>').text(warning);
  if ($warning) $body.append($warning);
  return () => {
    panel.dispose();
    $status.remove();
    $warning?.remove();
  };
}
