/**
 * The constructor Kommo instantiates. Kommo creates the instance with its helpers already on
 * `this` (get_settings, system, i18n...), so this is a plain function, not an ES class
 * (https://developers.kommo.com/docs/script-js). Callbacks stay thin: they hand over to the
 * page's single `Lifecycle`, which owns everything that runs.
 */
import $ from 'jquery';
import type { KommoCallbacks, KommoWidgetInstance } from './kommo';
import { consoleLogger } from '../core/logger';
import { createHost } from './host';
import { bindClickToCall } from './click-to-call';
import { createLifecycle } from './lifecycle';
import { openSettingsLazily } from './settings-loader';
import { startWhenIdle } from './idle-start';
import type { PendingStart } from './idle-start';

const logger = consoleLogger('[telephony]', console);
// One per page load: RequireJS evaluates this module once, and Kommo may construct the widget
// again on area changes; all instances share the running machinery.
const lifecycle = createLifecycle(window, logger);
let clickToCall: ReturnType<typeof bindClickToCall> | null = null;
// init's work, queued for idle time (idle-start.ts); the callbacks that need it run it first.
let starting: PendingStart | null = null;
const started = () => starting?.flush();

function TelephonyWidget(this: KommoWidgetInstance): KommoWidgetInstance {
  const widget = this;
  const host = () => createHost(widget, window.APP);
  let closeSettings: (() => void) | null = null;

  const callbacks: KommoCallbacks = {
    render: () => true,
    init() {
      started();
      starting = startWhenIdle(window, () => {
        guard('init', () => lifecycle.init(host()));
        guard('click-to-call', () => {
          clickToCall ??= bindClickToCall({ widget, app: window.APP, doc: document, host, lifecycle, logger });
          clickToCall.listen(true);
        });
      });
      return true;
    },
    bind_actions: () => true,
    settings($modalBody) {
      started();
      guard('settings', () => {
        closeSettings?.();
        closeSettings = openSettingsLazily($, $modalBody, host(), lifecycle, widget.params?.path, logger);
      });
      return true;
    },
    onSave(data) {
      started();
      const saved = guard('onSave', () => lifecycle.save(host(), data ?? {})) ?? false;
      // Switched off: nothing of click-to-call stays listening; switched on again: it listens.
      guard('click-to-call', () => clickToCall?.listen(lifecycle.state.status !== 'off'));
      return saved;
    },
    destroy() {
      // Destroyed before its start ran (idle time had not come): it never starts.
      starting?.cancel();
      starting = null;
      guard('destroy', () => {
        closeSettings?.();
        closeSettings = null;
        lifecycle.destroy();
      });
    },
  };
  this.callbacks = callbacks;
  return this;
}

/** Nothing the widget does may break the Kommo page. */
function guard<T>(name: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    logger.error(`${name} failed`, { error });
    return undefined;
  }
}

export default TelephonyWidget;
