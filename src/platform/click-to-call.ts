/**
 * Click-to-call's ties to the host (../shared/spec/kommo-platform.md, "Click-to-call"): the
 * handler Kommo puts on every phone number (`add_action('phone')`,
 * https://developers.kommo.com/docs/click-to-call), the dialer button where the account has
 * `APP.widgets.notificationsPhone`, and the "Call back" links of the widget's own pop-ups and
 * notifications (`data-telephony-dial`, anywhere in the page). Each ends in one ClickToCall.
 */
import type { Logger } from '../core/logger';
import { inertText } from '../core/html';
import type { ClickToCall } from '../app/click-to-call';
import type { DialerDeps } from '../dial/dialer';
import type { openDialerForm } from '../dial/dialer-form';
import { relayRouteUrl } from '../protocol/url';
import { extensionsFor } from '../settings';
import { DIAL_ATTRIBUTE } from '../notify/call-back';
import type { Host } from './host';
import type { KommoApp, KommoWidgetInstance } from './kommo';
import type { Lifecycle } from './lifecycle';
import { systemClock } from './system-clock';
import { loadWidgetPart } from './widget-part';

/** What leader.js exports for click-to-call (src/app/leader-part.ts). */
interface DialPart {
  dial: ClickToCall['dial'];
  openDialerForm: typeof openDialerForm;
}


export interface ClickToCallBinding {
  widget: KommoWidgetInstance;
  app: KommoApp | undefined;
  doc: Document;
  host: () => Host;
  lifecycle: Lifecycle;
  logger: Logger;
}

/**
 * Binds the three entries, once per page load (Kommo has no remove_action): a widget switched
 * off dials nothing, and dials again once switched back on. The "Call back" links' document
 * listener is the one thing to undo: `listen(false)` removes it (the switch-off leaves nothing).
 */
export function bindClickToCall(o: ClickToCallBinding): { listen(on: boolean): void } {
  const { logger } = o;
  const loadPart = (loaded: (part: DialPart) => void, failed: (error: unknown) => void) => loadWidgetPart<DialPart>('leader', o.host().widgetPath?.(), loaded, failed);

  const setup = (): DialerDeps => {
    const host = o.host();
    const state = o.lifecycle.state;
    const settings = state.status === 'running' ? state.settings : null;
    const userId = host.user()?.id ?? null;
    const extension = settings === null ? null : (extensionsFor(settings, userId)[0] ?? (state.status === 'running' ? state.telephony.extensions()[0] : undefined) ?? null);
    return {
      running: settings !== null,
      country: settings?.country,
      originateUrl: settings === null ? null : relayRouteUrl(settings.transport.url, 'originate'),
      post: host.originatePost,
      token: settings?.token ?? '',
      extension,
      texts: host.strings('dial'),
      show: (message) => host.showMessage(message),
      logger,
    };
  };

  // leader.js holds the dialer and the double-click gate; a click before it loaded waits for it.
  const dial = (value: unknown) => {
    if (o.lifecycle.state.status === 'off' || typeof value !== 'string') return;
    loadPart(
      (part) => part.dial(value, setup(), systemClock.now()),
      (error) => {
        logger.warn('dial: leader.js could not be loaded', { error });
        const texts = o.host().strings('dial');
        const text = typeof texts.load_failed === 'string' ? texts.load_failed : 'The call could not be started: check your connection, then try again.';
        o.host().showError(inertText(value.trim().slice(0, 64)), inertText(text));
      },
    );
  };

  const on = () => o.lifecycle.state.status !== 'off';
  o.widget.add_action?.('phone', (data) => dial(data?.value));

  const openDialer = () =>
    on() &&
    loadPart(
      (part) => part.openDialerForm(o.doc, o.host().strings('dial'), dial),
      (error) => logger.warn('dial: leader.js could not be loaded', { error }),
    );
  if (typeof o.app?.widgets?.notificationsPhone === 'function') {
    o.app.widgets.notificationsPhone({ ns: o.widget.params?.widget_code ?? 'telephony', click: openDialer });
  }

  const onClick = (event: Event) => {
    const target = event.target as Element | null;
    const link = typeof target?.closest === 'function' ? target.closest(`[${DIAL_ATTRIBUTE}]`) : null;
    if (link === null) return;
    event.preventDefault();
    dial(link.getAttribute(DIAL_ATTRIBUTE));
  };
  let listening = false;
  return {
    listen(on) {
      if (on === listening) return;
      listening = on;
      if (on) o.doc.addEventListener('click', onClick);
      else o.doc.removeEventListener('click', onClick);
    },
  };
}
