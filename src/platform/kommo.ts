/**
 * The Kommo host, typed: the only description of `APP` and of the widget instance (`this`)
 * the widget has. Only src/platform/ imports this file; the core takes plain interfaces.
 * Every member links the Kommo page that defines it.
 */

/** Values of the manifest's `settings`, as `get_settings()` hands them over. */
export type RawSettings = Record<string, unknown>;

/** https://developers.kommo.com/docs/script-js#callbacks */
export interface KommoCallbacks {
  /** First on every area; must return true or nothing else runs. */
  render(): boolean;
  /** Once per page load with `init_once: true` (https://developers.kommo.com/docs/manifest-json). */
  init(): boolean;
  bind_actions(): boolean;
  /** The widget's settings modal opened; `$modalBody` is its jQuery-wrapped body. */
  settings($modalBody: JQuery): boolean;
  /** Save pressed, or the widget switched off (`active: 'N'`, then `destroy`). */
  onSave(data: { active?: 'Y' | 'N'; fields?: RawSettings }): boolean | Promise<boolean>;
  /** Switched off, and on moves between areas of the app. */
  destroy(): void;
  [name: string]: unknown;
}

/**
 * The instance Kommo creates from our constructor, with its helpers already on `this`.
 * https://developers.kommo.com/docs/script-js#methods
 */
export interface KommoWidgetInstance {
  callbacks: KommoCallbacks;
  /** https://developers.kommo.com/docs/script-js#get_settings */
  get_settings(): RawSettings;
  /** https://developers.kommo.com/docs/script-js#set_settings */
  set_settings?(values: RawSettings): void;
  /** https://developers.kommo.com/docs/script-js#system */
  system(): { area?: string; amouser_id?: number | string; amouser?: string; subdomain?: string; domain?: string };
  /** https://developers.kommo.com/docs/script-js#i18n: one section of the current locale file. */
  i18n(section: string): Record<string, unknown> | undefined;
  /** https://developers.kommo.com/docs/script-js#get_version */
  get_version?(): string;
  /** https://developers.kommo.com/docs/script-js#params */
  params?: { path?: string; widget_code?: string; images_path?: string; version?: string; status?: string };
  /** https://developers.kommo.com/docs/click-to-call */
  add_action?(type: 'phone' | 'email', handler: (data: { value: string }) => void): void;
  /**
   * `$.ajax` plus an `X-Auth-Token` header: Kommo's one-time JWT for the signed-in user (HS256,
   * the integration's secret key; claims iss, aud, jti, iat, nbf, exp, account_id, user_id,
   * client_uuid). A jqXHR: await it; a failure rejects with the jqXHR (its `status`).
   * https://developers.kommo.com/docs/script-js#methods
   */
  $authorizedAjax?(options: JQuery.AjaxSettings): PromiseLike<unknown>;
}

/** `APP.notifications` https://developers.kommo.com/docs/add-notifications */
export interface KommoNotifications {
  /** A pop-up in this browser only; `text.text` is HTML. https://developers.kommo.com/docs/call-notification */
  show_notification(data: { text: { header: string; text: string }; type: 'call'; date?: number }): void;
  /** Stored in the notification centre, sent over every delivery channel; one per `element`. */
  add_call(data: {
    text: string;
    date?: number;
    from?: string;
    to?: string;
    duration?: number;
    link?: string;
    element?: { id: number; type: 'contact' | 'lead' | 'company' };
  }): void;
  show_message?(data: { header: string; text: string }): void;
  show_message_error?(data: { header: string; text: string }): void;
}

/** The page's `APP` global. https://developers.kommo.com/docs/js-sdk */
export interface KommoApp {
  /** `APP.constant('user')`, `'account'`, `'managers'`. https://developers.kommo.com/docs/environment-variables */
  constant(name: 'user'): { id: number | string; name?: string; login?: string } | undefined;
  constant(name: 'account'): { id?: number | string; subdomain?: string } | undefined;
  constant(name: string): unknown;
  notifications: KommoNotifications;
  /** The UI language, e.g. 'en', 'ru'. */
  lang_id?: string;
  /**
   * `APP.widgets.notificationsPhone({ns, click})`: a dialer button in the left menu whose click runs
   * `click` (Kommo's Portuguese developer pages, "making calls inside Kommo"; ../shared/spec/kommo-platform.md).
   * Not on every account: feature-detected.
   */
  widgets?: { notificationsPhone?(options: { ns: string; click: () => void }): void };
}

declare global {
  // eslint-disable-next-line no-var
  var APP: KommoApp | undefined;
}
