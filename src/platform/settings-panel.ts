/**
 * Live checks inside Kommo's settings modal (https://developers.kommo.com/docs/script-js#settings).
 * Kommo renders the manifest's fields itself; we append a list of problems under them and
 * re-check on every keystroke, in the user's language. Every text goes in through `.text()`.
 *
 * How the fields are read (Kommo does not document the markup, so the reader is lenient):
 * - plain settings: the element named after the key, e.g. `input[name="ws_url"]`;
 * - `users` settings (`phones`): one input per user named `phones[<userId>]` (also accepted:
 *   `phones[anything][<userId>]`, `phones.<userId>`), else one field named `phones` holding
 *   the JSON object, else what `get_settings()` had (`initial`).
 * A key with no element in the modal keeps its `initial` value.
 *
 * `notify_mode` is a manifest `text` field (validated: `widget` | `events`) rather than `custom`:
 * a `custom` field is hidden and exists only if our script renders it, so a widget whose script
 * failed to load could not be configured at all. The panel shows a select over the text field
 * and writes the choice into it; Kommo saves the text field as usual.
 */
import type { SettingsContext, SettingsProblem } from '../settings/types';
import type { SettingsRules } from '../settings/rules';
import { renderDesktopPermission } from './desktop-permission';
import type { DesktopPermissionDeps } from './desktop-permission';

export interface SettingsPanelDeps {
  $: JQueryStatic;
  /** From script.js (src/settings/rules.ts). */
  rules: SettingsRules;
  /** The `settings` i18n section; answers the key itself when a string is missing. */
  strings(key: string): string;
  ctx: SettingsContext;
  /** The saved settings (`get_settings()`), the base under what the modal's fields say. */
  initial?: Record<string, unknown>;
  /** Current field values; by default read from the modal's inputs (see above). */
  read?(): Record<string, unknown>;
  /** A user's name for messages about their extensions, e.g. from `APP.constant('managers')`. */
  userName?(userId: string): string | undefined;
  /** Desktop notifications' block (desktop-permission.ts): the i18n `desktop` section, the page's notifications. */
  desktop?: DesktopPermissionDeps;
}

export interface SettingsPanel {
  /** Re-check now (also runs on every input/change in the modal). */
  refresh(): SettingsProblem[];
  dispose(): void;
}

const SIMPLE_KEYS = ['ws_url', 'poll_url', 'poll_interval', 'token', 'country', 'notify_mode'] as const;
const USERS_KEY = 'phones';

const COLORS = { error: '#c0392b', warning: '#9a6700', ok: '#1a7f37' } as const;

function fieldValue($field: JQuery): string {
  const value = $field.val();
  return typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : '';
}

/** What the modal's inputs say now, over `initial`; see the file comment for the markup assumed. */
export function readSettingsForm($: JQueryStatic, $body: JQuery, initial: Record<string, unknown> = {}): Record<string, unknown> {
  const values: Record<string, unknown> = { ...initial };
  const $named = $body.find('[name]');
  for (const key of SIMPLE_KEYS) {
    const $field = $named.filter((_, el) => el.getAttribute('name') === key).first();
    if ($field.length) values[key] = fieldValue($field);
  }
  const perUser: Record<string, string> = {};
  let perUserFound = false;
  let whole: string | null = null;
  $named.each((_, el) => {
    const name = el.getAttribute('name') ?? '';
    if (name === USERS_KEY) {
      whole = fieldValue($(el));
      return;
    }
    const match = /^phones(?:\[[^\]]*\])*\[([^\]]+)\]$/.exec(name) ?? /^phones\.(.+)$/.exec(name);
    if (match && match[1]) {
      perUser[match[1]] = fieldValue($(el));
      perUserFound = true;
    }
  });
  if (perUserFound) values[USERS_KEY] = perUser;
  else if (whole !== null && (whole as string).trim() !== '') values[USERS_KEY] = whole;
  return values;
}

/** A select for `notify_mode` in place of its text input; returns the undo. */
function notifyModeSelect($: JQueryStatic, $body: JQuery, strings: (key: string) => string, NOTIFY_MODES: SettingsRules['NOTIFY_MODES']): () => void {
  const $input = $body.find('input[name="notify_mode"]').first();
  if (!$input.length) return () => {};
  const $select = $('<select class="telephony-settings-check__notify-mode" data-testid="telephony-notify-mode"></select>');
  for (const mode of NOTIFY_MODES) $select.append($('<option></option>').attr('value', mode).text(strings(`notify_mode_${mode}`)));
  const current = fieldValue($input).trim().toLowerCase();
  // An unexpected stored value stays in the text field (and the panel names it) until a choice is made.
  if ((NOTIFY_MODES as readonly string[]).includes(current) || current === '') $select.val(current || 'widget');
  else $select.prop('selectedIndex', -1);
  $select.on('change', () => {
    $input.val(String($select.val() ?? 'widget'));
    $input.trigger('change');
  });
  const display = $input.css('display');
  $input.css('display', 'none').after($select);
  return () => {
    $select.remove();
    $input.css('display', display ?? '');
  };
}

let panels = 0;

export function renderSettingsPanel($body: JQuery, deps: SettingsPanelDeps): SettingsPanel {
  const { $, rules } = deps;
  const namespace = `.telephonySettings${++panels}`;
  const read = deps.read ?? (() => readSettingsForm($, $body, deps.initial));

  const $panel = $('<div class="telephony-settings-check" data-testid="telephony-settings-check" role="status" aria-live="polite"></div>');
  $panel.css({ margin: '12px 0', lineHeight: '1.4' });
  const $title = $('<div class="telephony-settings-check__title"></div>').css({ fontWeight: 'bold', marginBottom: '4px' });
  $title.text(deps.strings('panel_title'));
  const $list = $('<ul class="telephony-settings-check__list"></ul>').css({ margin: 0, paddingLeft: '18px' });
  const $hint = $('<div class="telephony-settings-check__hint"></div>').css({ marginTop: '6px', opacity: 0.75, fontSize: '12px' });
  $hint.text(deps.strings('notify_mode_hint'));
  $panel.append($title, $list, $hint);
  $body.append($panel);
  const undoSelect = notifyModeSelect($, $body, deps.strings, rules.NOTIFY_MODES);
  // Desktop notifications (issue 17): this browser's permission, asked only from its button.
  const undoDesktop = renderDesktopPermission($, $panel, deps.desktop);

  const marked = new Set<SettingsProblem['field']>();
  const markFields = (problems: SettingsProblem[]) => {
    const wrong = new Set(problems.filter((p) => p.severity === 'error').map((p) => p.field));
    for (const field of new Set([...marked, ...wrong])) {
      const $field = $body.find('[name]').filter((_, el) => el.getAttribute('name') === field);
      if (wrong.has(field)) {
        $field.attr('aria-invalid', 'true');
        marked.add(field);
      } else {
        $field.removeAttr('aria-invalid');
        marked.delete(field);
      }
    }
  };

  const refresh = (): SettingsProblem[] => {
    let problems: SettingsProblem[];
    try {
      problems = rules.parseSettings(read(), deps.ctx).problems;
    } catch {
      // A reader surprised by Kommo's markup must not break the modal: show nothing rather than throw.
      problems = [];
    }
    $list.empty();
    if (problems.length === 0) {
      $list.append($('<li class="telephony-settings-check__ok"></li>').css({ color: COLORS.ok }).text(deps.strings('panel_ok')));
    }
    // What blocks saving first, then the hints (as the refusal message lists them).
    const ordered = [...problems.filter((p) => p.severity === 'error'), ...problems.filter((p) => p.severity !== 'error')];
    for (const problem of ordered) {
      const label = deps.strings(problem.severity === 'error' ? 'label_error' : 'label_warning');
      const $item = $('<li></li>')
        .addClass(`telephony-settings-check__${problem.severity}`)
        .attr('data-field', problem.field)
        .attr('data-key', problem.key)
        .css({ color: COLORS[problem.severity] });
      $item.append($('<strong></strong>').text(`${label}: `), $('<span></span>').text(rules.describeProblem(problem, deps.strings, { userName: deps.userName })));
      $list.append($item);
    }
    markFields(problems);
    return problems;
  };

  $body.on(`input${namespace} change${namespace}`, 'input, select, textarea', () => {
    refresh();
  });
  refresh();

  return {
    refresh,
    dispose() {
      $body.off(namespace);
      undoSelect();
      undoDesktop();
      markFields([]);
      $panel.remove();
    },
  };
}
