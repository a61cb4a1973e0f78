/** The widget's settings after parsing (src/settings/parse.ts); raw values come from `get_settings()`. */

export type TransportSettings =
  | { kind: 'ws'; url: string }
  /** `mode: 'script'` when the poll URL's path ends in `.js` (documented in README and the protocol doc). */
  | { kind: 'poll'; url: string; mode: 'json' | 'script'; intervalMs: number };

export interface WidgetSettings {
  transport: TransportSettings;
  token: string;
  /** Kommo user id -> that user's extensions (the `phones` setting, `users` type). */
  phones: Record<string, string[]>;
  /** ISO 3166 alpha-2, upper case, for numbers without a country code; undefined when not set. */
  country?: string;
  notifyMode: 'widget' | 'events';
}

/** One thing wrong (error: cannot save / cannot run) or worth a hint (warning). */
export interface SettingsProblem {
  field: 'ws_url' | 'poll_url' | 'poll_interval' | 'token' | 'phones' | 'country' | 'notify_mode';
  severity: 'error' | 'warning';
  /** Key in the i18n `settings` section, e.g. `problem_ws_insecure`. */
  key: string;
  params?: Record<string, string>;
}

export interface SettingsContext {
  /** `location.protocol` of the Kommo page, e.g. `https:`. */
  pageProtocol: string;
  /** The current Kommo user's id, to check that they have an extension. */
  userId: string | null;
}

export interface ParsedSettings {
  /** Null when any problem is an error. */
  settings: WidgetSettings | null;
  problems: SettingsProblem[];
}
