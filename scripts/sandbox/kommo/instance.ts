/**
 * The widget instance: Kommo creates it from the module's constructor with its helpers already
 * on `this`, so the constructor can use them. https://developers.kommo.com/docs/script-js#methods
 */
import type { KommoWidgetInstance, RawSettings } from '../../../src/platform/kommo';
import type { HostUser } from './app';
import { areaOf } from './card-kinds';
import type { Recorder } from './recorder';
import type { SettingsStore } from './settings-store';

/** What script.js's `define` answers: a constructor Kommo calls with the instance as `this`. */
export type WidgetConstructor = ((this: object) => unknown) & { prototype: object };

export interface WidgetIdentity {
  /** Where the widget's files are served, e.g. '/widget'. */
  path: string;
  code: string;
  version: string;
}

/** The click-to-call handlers the widget registered with `add_action`, by type. */
export type ActionHandlers = Map<string, (data: { value: string }) => void>;

export interface InstanceDeps {
  recorder: Recorder;
  widget: WidgetIdentity;
  settings: SettingsStore;
  user: HostUser | null;
  langData: Record<string, unknown>;
  actions: ActionHandlers;
  /** The host's jQuery, once RequireJS has loaded it. */
  jquery(): JQueryStatic | null;
  /** Where `$authorizedAjax` gets the user's one-time token (default the sandbox's /sandbox/one-time-token). */
  oneTimeTokenUrl?: string;
}

type Helpers = Required<Omit<KommoWidgetInstance, 'callbacks'>> & {
  system(): ReturnType<KommoWidgetInstance['system']> & { amohash: string; server: string; displayed_count: number };
  crm_post(url: string, data: unknown, success?: (answer: unknown) => void, type?: string, error?: (xhr: unknown) => void): unknown;
};

/**
 * Kommo's `$authorizedAjax`: `$.ajax` with `X-Auth-Token`, a short-lived JWT for the signed-in
 * user. Kommo signs it with the integration's secret; the sandbox's server signs it with the
 * sandbox integration's (scripts/sandbox/one-time-token.ts). A jQuery promise: a failed token
 * fetch or request rejects with its jqXHR, as `$.ajax` does.
 */
function authorizedAjax($: JQueryStatic, tokenUrl: string, user: HostUser | null, options: JQuery.AjaxSettings): JQuery.Promise<unknown> {
  const query = `user_id=${encodeURIComponent(String(user?.id ?? ''))}`;
  return $.ajax({ url: `${tokenUrl}?${query}`, method: 'GET', dataType: 'json', cache: false }).then((answer: { token: string }) =>
    $.ajax({ ...options, headers: { ...(options.headers ?? {}), 'X-Auth-Token': answer.token } }),
  );
}

function helpers(deps: InstanceDeps): Helpers {
  const { widget, settings, user, recorder } = deps;
  const jquery = () => {
    const $ = deps.jquery();
    if (!$) throw new Error('the host has not loaded jQuery yet');
    return $;
  };
  const ajax = (options: JQuery.AjaxSettings) => jquery().ajax(options);
  return {
    get_settings: (): RawSettings => ({
      ...settings.read(),
      widget_code: widget.code,
      active: settings.active() ? 'Y' : 'N',
      path: widget.path,
      images_path: `${widget.path}/images`,
      version: widget.version,
    }),
    set_settings: (values) => settings.merge(values ?? {}),
    system: () => ({
      area: areaOf(location.pathname),
      amouser_id: user?.id,
      amouser: user?.login,
      amohash: 'sandbox',
      subdomain: 'sandbox',
      domain: location.host,
      server: location.host,
      displayed_count: 0,
    }),
    i18n: (section) => deps.langData[section] as Record<string, unknown> | undefined,
    get_version: () => widget.version,
    params: { path: widget.path, widget_code: widget.code, images_path: `${widget.path}/images`, version: widget.version, status: 'installed' },
    add_action: (type, handler) => {
      recorder.record.actions[type] = (recorder.record.actions[type] ?? 0) + 1;
      deps.actions.set(type, handler);
    },
    crm_post: (url, data, success, type, error) =>
      ajax({ url, method: 'POST', data: data as JQuery.PlainObject, dataType: type ?? 'json', ...(success ? { success } : {}), ...(error ? { error } : {}) }),
    $authorizedAjax: (options) => authorizedAjax(jquery(), deps.oneTimeTokenUrl ?? '/sandbox/one-time-token', user, options),
  };
}

/** A new instance, or null (recorded) when the constructor throws. */
export function constructInstance(Widget: WidgetConstructor, deps: InstanceDeps): KommoWidgetInstance | null {
  const instance = Object.assign(Object.create(Widget.prototype) as object, helpers(deps));
  let returned: unknown;
  try {
    returned = Widget.call(instance);
  } catch (error) {
    deps.recorder.error('constructor', error);
    console.error('[sandbox] widget constructor threw', error);
    return null;
  }
  const widget = (returned && typeof returned === 'object' ? returned : instance) as KommoWidgetInstance;
  deps.recorder.record.widget = widget;
  return widget;
}
