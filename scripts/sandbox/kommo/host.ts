/**
 * The Kommo double's core, with or without a page around it: `APP` and its recorder, the
 * widget's files, RequireJS loading, instances and the lifecycle. The sandbox page
 * (sandbox-page.ts) adds its chrome on top; the jsdom harness (test/support/kommo-jsdom.ts)
 * uses this alone and runs the callbacks itself.
 */
import type { KommoWidgetInstance } from '../../../src/platform/kommo';
import { createApp } from './app';
import type { HostNotifications, HostUser, NotificationDisplay } from './app';
import type { DialerDisplay } from './dialer';
import { constructInstance } from './instance';
import type { ActionHandlers, WidgetConstructor, WidgetIdentity } from './instance';
import { createLifecycle } from './lifecycle';
import type { Lifecycle } from './lifecycle';
import { fetchWidgetFiles, loadWidgetScript, WidgetLoadError } from './loader';
import type { WidgetFiles } from './loader';
import { hostWindow } from './page-globals';
import { createRecorder } from './recorder';
import type { Recorder } from './recorder';
import type { SettingsStore } from './settings-store';

export interface HostOptions {
  /** The page's recorder when it needs one before the host opens; else a fresh one. */
  recorder?: Recorder;
  /** Where script.js is served, its code and version (the manifest's version wins once read). */
  widget: WidgetIdentity;
  lang: string;
  user: HostUser | null;
  users: readonly HostUser[];
  settings: SettingsStore;
  display?: NotificationDisplay | null;
  /** The menu's "Dialer" button for `APP.widgets.notificationsPhone`; none without page chrome. */
  dialer?: DialerDisplay | null;
}

export interface Host {
  recorder: Recorder;
  notifications: HostNotifications;
  files: WidgetFiles;
  widget: WidgetIdentity;
  lang: string;
  user: HostUser | null;
  users: readonly HostUser[];
  settings: SettingsStore;
  actions: ActionHandlers;
  lifecycle: Lifecycle;
  /** The host's jQuery, once loadWidget() has run. */
  $(): JQueryStatic | null;
  /** RequireJS: jQuery, underscore, script.js. Rejects (and records why) when it fails. */
  loadWidget(): Promise<WidgetConstructor>;
  /** A new instance of the loaded widget, with the helpers on `this`. */
  construct(): KommoWidgetInstance | null;
}

/** Installs `APP` (and `AMOCRM`) before anything of the widget runs, then reads its files. */
export async function openHost(options: HostOptions): Promise<Host> {
  const recorder = options.recorder ?? createRecorder();
  const app = createApp({ recorder, lang: options.lang, user: options.user, users: options.users, display: options.display ?? null, dialer: options.dialer ?? null });
  const page = hostWindow();
  page.APP = page.AMOCRM = app;
  document.documentElement.lang = options.lang;

  const files = await fetchWidgetFiles(options.widget.path, options.lang);
  const widget: WidgetIdentity = { ...options.widget, version: files.manifest?.widget?.version ?? options.widget.version };
  const actions: ActionHandlers = new Map();
  let jquery: JQueryStatic | null = null;
  let Widget: WidgetConstructor | null = null;
  const instanceDeps = { recorder, widget, settings: options.settings, user: options.user, langData: files.langData, actions, jquery: () => jquery };
  const construct = () => (Widget ? constructInstance(Widget, instanceDeps) : null);

  return {
    recorder,
    notifications: app.notifications,
    files,
    widget,
    lang: options.lang,
    user: options.user,
    users: options.users,
    settings: options.settings,
    actions,
    lifecycle: createLifecycle({ recorder, settings: options.settings, initOnce: files.manifest?.widget?.init_once === true, construct }),
    $: () => jquery,
    async loadWidget() {
      try {
        const loaded = await loadWidgetScript(widget.path);
        jquery = loaded.$;
        Widget = loaded.Widget;
        return loaded.Widget;
      } catch (error) {
        const step = error instanceof WidgetLoadError ? error.step : 'require';
        recorder.error(step, error instanceof Error ? error.message : error);
        if (step === 'require') recorder.record.loadError = String(error instanceof Error ? error.message : error);
        throw error;
      }
    },
    construct,
  };
}
