/**
 * The settings modal's "Calls on the cards" block (issue 16): asks the relay (`GET <relay>/call-log`,
 * as the signed-in user) whether it logs calls on the customers' cards and whether that works, and
 * says so in the admin's language. Shown to admins only (Kommo shows widget settings to every
 * user; the answer names no caller, but only an admin can act on it). Texts go in via `.text()`.
 */
import { fillTemplate } from '../core/template';
import { callLogStringsFrom } from '../settings/call-log-strings';
import { callLogView } from '../settings/call-log-view';
import type { CallLogTone } from '../settings/call-log-view';
import type { TicketAnswer } from '../feed/relay-access';

export interface CallLogBlockDeps {
  /** `<relay>/call-log`, or null when the settings name no relay. */
  url: string | null;
  get(url: string): Promise<TicketAnswer>;
  /** The i18n `call_log` section. */
  strings: Record<string, unknown>;
  nowS(): number;
}

const TONE_CSS: Record<CallLogTone, Record<string, string>> = {
  ok: { borderLeftColor: '#2da44e', background: '#f0faf3', color: 'inherit' },
  pending: { borderLeftColor: '#8c959f', background: '#f6f8fa', color: 'inherit' },
  problem: { borderLeftColor: '#d4a72c', background: '#fff8e5', color: '#7a4d00' },
};

/** Appends the block and asks the relay; returns the undo (an answer after it changes nothing). */
export function renderCallLogBlock($: JQueryStatic, $body: JQuery, deps: CallLogBlockDeps): () => void {
  if (deps.url === null) return () => {};
  const strings = callLogStringsFrom(deps.strings);
  const $block = $('<div class="telephony-call-log" data-testid="telephony-call-log" role="status"></div>')
    .css({ margin: '12px 0', padding: '8px 10px', borderLeft: '4px solid', borderRadius: '3px', lineHeight: '1.4', ...TONE_CSS.pending });
  const $title = $('<div class="telephony-call-log__title"></div>').css({ fontWeight: 'bold', marginBottom: '2px' }).text(strings.title);
  const $text = $('<div class="telephony-call-log__text" data-testid="telephony-call-log-text"></div>').text(strings.checking);
  $block.append($title, $text);
  $body.append($block);
  let open = true;
  deps.get(deps.url).then(
    (answer) => {
      if (!open) return;
      const view = callLogView(answer, deps.nowS());
      $block.attr('data-tone', view.tone).attr('role', view.tone === 'problem' ? 'alert' : 'status').css(TONE_CSS[view.tone]);
      $title.text(view.tone === 'problem' ? strings.title_problem : strings.title);
      $text.text(fillTemplate(strings[view.key], view.values));
    },
    () => {
      if (open) $text.text(strings.unreachable);
    },
  );
  return () => {
    open = false;
    $block.remove();
  };
}
