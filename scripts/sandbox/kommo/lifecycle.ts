/**
 * Runs the widget's callbacks in Kommo's order (https://developers.kommo.com/docs/script-js#callbacks):
 * on each area `render`, then `init` and `bind_actions` (once per page load when the manifest
 * says `init_once`); `destroy` on moves between areas and when switched off. A callback that
 * throws is recorded, never thrown into the page.
 */
import type { KommoCallbacks, KommoWidgetInstance } from '../../../src/platform/kommo';
import type { Recorder } from './recorder';
import type { SettingsStore } from './settings-store';

export type CallbackName = 'render' | 'init' | 'bind_actions' | 'settings' | 'onSave' | 'destroy';

export interface Lifecycle {
  widget(): KommoWidgetInstance | null;
  call<K extends CallbackName>(name: K, ...args: Parameters<KommoCallbacks[K]>): ReturnType<KommoCallbacks[K]> | undefined;
  /** The instance the settings modal talks to, constructed when the widget is off. */
  ensureInstance(): KommoWidgetInstance | null;
  /** A page load: a fresh instance and its first area, unless the widget is switched off. */
  pageLoad(): void;
  /** The current instance enters a new area. */
  runArea(): void;
  /** Switched on from the settings: the instance that accepted them starts as on a page load. */
  switchedOn(): void;
  /** Switched off: Kommo drops the instance. */
  switchedOff(): void;
}

export interface LifecycleDeps {
  recorder: Recorder;
  settings: SettingsStore;
  initOnce: boolean;
  construct(): KommoWidgetInstance | null;
}

export function createLifecycle({ recorder, settings, initOnce, construct }: LifecycleDeps): Lifecycle {
  let current: KommoWidgetInstance | null = null;
  let initDone = false;

  function call<K extends CallbackName>(name: K, ...args: Parameters<KommoCallbacks[K]>): ReturnType<KommoCallbacks[K]> | undefined {
    const widget = current;
    const callback: unknown = widget?.callbacks?.[name];
    if (!widget || typeof callback !== 'function') return undefined;
    recorder.step(name);
    try {
      return (callback as (...a: unknown[]) => ReturnType<KommoCallbacks[K]>).apply(widget, args);
    } catch (error) {
      recorder.error(name, error);
      console.error(`[sandbox] widget callback ${name} threw`, error);
      return undefined;
    }
  }

  function runArea(): void {
    if (!current) return;
    if (call('render') !== true) {
      recorder.step('render-false:stop');
      return;
    }
    if (!initDone || !initOnce) {
      initDone = true;
      call('init');
      call('bind_actions');
    }
  }

  return {
    widget: () => current,
    call,
    ensureInstance() {
      current ??= construct();
      return current;
    },
    pageLoad() {
      if (!settings.active()) {
        recorder.step('inactive');
        return;
      }
      current = construct();
      initDone = false;
      runArea();
    },
    runArea,
    switchedOn() {
      initDone = false;
      runArea();
    },
    switchedOff() {
      current = null;
      recorder.record.widget = null;
    },
  };
}
