/**
 * The thin adapter between Kommo and the core: reads the widget instance (`this`) and `APP`,
 * and turns them into plain values and the `NotificationSink`. Nothing else reads `APP`.
 */
import $ from 'jquery';
import type { NotificationSink } from '../notify/types';
import type { TicketAnswer, TicketPost } from '../feed/relay-access';
import type { DialMessage } from '../dial/message';
import type { OriginatePost } from '../dial/dialer';
import type { KommoApp, KommoWidgetInstance, RawSettings } from './kommo';

export interface Host {
  rawSettings(): RawSettings;
  /** `APP.constant('user')`, falling back to `system().amouser_id` (https://developers.kommo.com/docs/environment-variables). */
  user(): { id: string; name?: string } | null;
  /** Account id, else subdomain: the scope of tab leadership. */
  account(): string;
  /** Two-letter UI language. */
  locale(): string;
  /** `this.i18n(section)` (https://developers.kommo.com/docs/script-js#i18n). */
  strings(section: string): Record<string, unknown>;
  sink: NotificationSink;
  /** A short message in the interface, for refused settings. */
  showError(header: string, text: string): void;
  /** `this.params.path`: the widget's folder, where its parts (poll.js, settings.js) are served. */
  widgetPath?(): string | undefined;
  /** `POST url` as the signed-in user (Kommo's one-time token); absent where the host has no `$authorizedAjax`. */
  ticketPost?: TicketPost;
  /** Click-to-call's `POST <relay>/originate`: as the signed-in user where the host signs requests, else with the shared token only. */
  originatePost: OriginatePost;
  /** A short message in the interface: the dialer's "Calling..." and its refusals. */
  showMessage(message: DialMessage): void;
  /** `GET url` of the relay as the signed-in user (the settings modal's call log block), else with the shared token only. */
  relayGet(url: string, bearer: string | null): Promise<TicketAnswer>;
  /** Whether the user is an account admin (`APP.constant('managers')[id].is_admin`, 'Y' or 'N'); null when Kommo does not say. */
  isAdmin(): boolean | null;
}

export function createHost(widget: KommoWidgetInstance, app: KommoApp | undefined): Host {
  const system = () => {
    try {
      return widget.system() || {};
    } catch {
      return {};
    }
  };
  return {
    rawSettings: () => widget.get_settings() || {},
    widgetPath: () => widget.params?.path,
    ticketPost: widget.$authorizedAjax ? (url) => authorizedRequest((options) => widget.$authorizedAjax!(options), { url, timeout: TICKET_TIMEOUT_MS }) : undefined,
    originatePost: (url, body, bearer) => {
      const request: PostRequest = {
        url,
        timeout: ORIGINATE_TIMEOUT_MS,
        contentType: 'application/json',
        data: JSON.stringify(body),
        headers: bearer === null ? {} : ({ Authorization: `Bearer ${bearer}` } as Record<string, string>),
      };
      // A host without `$authorizedAjax` (not Kommo's) gets the shared token alone, over its jQuery.
      return authorizedRequest(widget.$authorizedAjax ? (options) => widget.$authorizedAjax!(options) : (options) => $.ajax(options), request);
    },
    relayGet: (url, bearer) => {
      const request: PostRequest = { url, timeout: STATUS_TIMEOUT_MS, headers: bearer === null ? {} : { Authorization: `Bearer ${bearer}` } };
      return authorizedRequest(widget.$authorizedAjax ? (options) => widget.$authorizedAjax!(options) : (options) => $.ajax(options), request, 'GET');
    },
    isAdmin() {
      const id = this.user()?.id;
      const managers = app?.constant('managers') as Record<string, { is_admin?: unknown } | undefined> | undefined;
      const flag = id === undefined || typeof managers !== 'object' || managers === null ? undefined : managers[id]?.is_admin;
      return flag === 'Y' || flag === true ? true : flag === 'N' || flag === false ? false : null;
    },
    user() {
      const user = app?.constant('user');
      const id = currentUserId(user, system().amouser_id);
      if (id === null) return null;
      return { id, name: typeof user?.name === 'string' && user.name ? user.name : undefined };
    },
    account() {
      const account = app?.constant('account');
      return String(account?.id ?? account?.subdomain ?? system().subdomain ?? 'account');
    },
    locale() {
      const lang = app?.lang_id ?? (typeof document !== 'undefined' ? document.documentElement.lang : '');
      return /^[a-z]{2}/i.test(lang || '') ? (lang as string).slice(0, 2).toLowerCase() : 'en';
    },
    strings: (section) => {
      const value = widget.i18n(section);
      return value && typeof value === 'object' ? value : {};
    },
    sink: {
      // https://developers.kommo.com/docs/call-notification#show-notification-about-a-call
      showPopup: (popup) =>
        app?.notifications.show_notification({ text: { header: popup.header, text: popup.text }, type: 'call', date: popup.date }),
      // https://developers.kommo.com/docs/call-notification#add-notification-about-a-completed-call
      addCall: ({ callId: _callId, ...call }) => app?.notifications.add_call(call),
    },
    showError(header, text) {
      const notifications = app?.notifications;
      if (notifications?.show_message_error) notifications.show_message_error({ header, text });
      else if (notifications?.show_message) notifications.show_message({ header, text });
    },
    showMessage({ error, header, text }) {
      const notifications = app?.notifications;
      if (error && notifications?.show_message_error) notifications.show_message_error({ header, text });
      else if (notifications?.show_message) notifications.show_message({ header, text });
    },
  };
}

/**
 * The current user's id as Kommo gives it: `APP.constant('user').id`, else `system().amouser_id`
 * (https://developers.kommo.com/docs/environment-variables, https://developers.kommo.com/docs/script-js).
 */
export function currentUserId(constantUser: unknown, amouserId: unknown): string | null {
  const fromConstant = typeof constantUser === 'object' && constantUser !== null ? (constantUser as { id?: unknown }).id : undefined;
  for (const id of [fromConstant, amouserId]) {
    if ((typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.trim() !== '')) return String(id).trim();
  }
  return null;
}

/** Bounded: a ticket that takes longer than this is as good as none (the feed retries). */
const TICKET_TIMEOUT_MS = 5_000;
/** The relay waits for the PBX at most 5 s (its --originate-timeout-ms default), then answers. */
const ORIGINATE_TIMEOUT_MS = 8_000;
/** The settings modal's status line: an answer later than this reads as "no answer". */
const STATUS_TIMEOUT_MS = 5_000;

type PostRequest = { url: string; timeout: number; contentType?: string; data?: string; headers?: Record<string, string> };

/**
 * `this.$authorizedAjax` is `$.ajax` with Kommo's one-time token in `X-Auth-Token`
 * (../shared/spec/kommo-platform.md, "Talking to your own server as the signed-in user"):
 * its promise resolves with the decoded body and rejects with the jqXHR (status 0: no answer).
 */
function authorizedRequest(ajax: (options: JQuery.AjaxSettings) => PromiseLike<unknown>, request: PostRequest, method: 'GET' | 'POST' = 'POST'): Promise<TicketAnswer> {
  return new Promise<TicketAnswer>((resolve) => {
    const failed = (xhr: unknown) => {
      const status = typeof (xhr as { status?: unknown })?.status === 'number' ? (xhr as { status: number }).status : 0;
      resolve({ status, body: (xhr as { responseJSON?: unknown })?.responseJSON ?? null });
    };
    try {
      ajax({ ...request, method, dataType: 'json' }).then((body) => resolve({ status: 200, body }), failed);
    } catch (error) {
      failed(error);
    }
  });
}

