/**
 * The `settings` callback's work: Kommo has rendered the manifest's fields in its modal; we add
 * the live checks (src/platform/settings-panel.ts) and a block saying what the connection is
 * doing now, so an admin sees "wrong token" instead of silence. A connection problem (a refused
 * token, a relay that does not answer) is styled as a warning and comes before the checks: under
 * "The settings look correct." it read as one more fine line (issue 17). Under them, for admins,
 * whether the relay logs the calls on the customers' cards (call-log-block.ts, issue 16).
 * https://developers.kommo.com/docs/script-js#settings
 */
import type { SettingsRules } from '../settings/rules';
import type { Host } from './host';
import type { Lifecycle } from './lifecycle';
import { connectionStatus, connectionWarningText } from './connection-status';
import type { ConnectionTone } from './connection-status';
import { renderSettingsPanel } from './settings-panel';
import { renderCallLogBlock } from './call-log-block';
import { relayRouteUrl } from '../protocol/url';

/** Inline, as the panel's colours: Kommo's stylesheet knows nothing of the widget's classes. */
const TONE_CSS: Record<ConnectionTone, Record<string, string>> = {
  ok: { borderLeftColor: '#2da44e', background: '#f0faf3', color: 'inherit' },
  pending: { borderLeftColor: '#8c959f', background: '#f6f8fa', color: 'inherit' },
  problem: { borderLeftColor: '#d4a72c', background: '#fff8e5', color: '#7a4d00' },
};
const WARNING_CSS = { marginTop: '6px', color: '#9a6700', fontWeight: 'bold' };

type Text = (key: string) => string;

function sectionText(host: Host, section: string): Text {
  const strings = host.strings(section);
  return (key) => (typeof strings[key] === 'string' ? (strings[key] as string) : key);
}

/** The connection block: a title saying whether it is a problem, the status line, the shared-token warning. */
function connectionBlock($: JQueryStatic, lifecycle: Lifecycle, text: Text): { $block: JQuery; tone: ConnectionTone } {
  const status = connectionStatus(lifecycle);
  const warning = connectionWarningText(lifecycle, text);
  const $block = $('<div class="telephony-connection" data-testid="telephony-connection"></div>')
    .addClass(`telephony-connection--${status.tone}`)
    .attr('data-tone', status.tone)
    .attr('role', status.tone === 'problem' ? 'alert' : 'status')
    .css({ margin: '12px 0', padding: '8px 10px', borderLeft: '4px solid', borderRadius: '3px', lineHeight: '1.4', ...TONE_CSS[status.tone] });
  const $title = $('<div class="telephony-connection__title"></div>').css({ fontWeight: 'bold', marginBottom: '2px' });
  $title.text(text(status.tone === 'problem' ? 'title_problem' : 'title'));
  const $status = $('<div class="telephony-connection-status" data-testid="telephony-status"></div>').text(text(status.key));
  $block.append($title, $status);
  if (warning !== null) $block.append($('<div class="telephony-access-warning" data-testid="telephony-access-warning"></div>').css(WARNING_CSS).text(warning));
  return { $block, tone: status.tone };
}

export function openSettings($: JQueryStatic, $body: JQuery, host: Host, lifecycle: Lifecycle, rules: SettingsRules): () => void {
  const { $block, tone } = connectionBlock($, lifecycle, sectionText(host, 'status'));
  // A problem of the running feed first; "the settings have errors (see above)" stays under the checks it points to.
  const first = tone === 'problem' && lifecycle.state.status === 'running';
  if (first) $body.append($block);
  const panel = renderSettingsPanel($body, {
    $,
    rules,
    strings: sectionText(host, 'settings'),
    ctx: { pageProtocol: window.location.protocol, userId: host.user()?.id ?? null },
    initial: host.rawSettings(),
    desktop: { strings: host.strings('desktop') },
  });
  if (!first) $body.append($block);
  // The relay's call log (issue 16), for admins: a user who is not one cannot change it.
  const state = lifecycle.state;
  const closeCallLog =
    state.status === 'running' && host.isAdmin() !== false
      ? renderCallLogBlock($, $body, {
          url: relayRouteUrl(state.settings.transport.url, 'call-log'),
          get: (url) => host.relayGet(url, state.settings.token === '' ? null : state.settings.token),
          strings: host.strings('call_log'),
          nowS: () => Math.floor(Date.now() / 1000),
        })
      : () => {};
  return () => {
    panel.dispose();
    $block.remove();
    closeCallLog();
  };
}
