/**
 * The `APP` global: `APP.constant`, `APP.lang_id`, `APP.notifications` and `APP.widgets`
 * (dialer.ts), each call recorded, then handed to the page's display (pop-ups, the bell, the
 * menu's dialer) when there is one.
 * https://developers.kommo.com/docs/js-sdk  https://developers.kommo.com/docs/add-notifications
 */
import type { KommoApp, KommoNotifications } from '../../../src/platform/kommo';
import { SANDBOX_ACCOUNT } from '../users';
import { createAppWidgets } from './dialer';
import type { DialerDisplay, HostWidgets } from './dialer';
import type { Recorder } from './recorder';

export type PopupData = Parameters<KommoNotifications['show_notification']>[0];
export type CallData = Parameters<KommoNotifications['add_call']>[0];
export type MessageData = Parameters<Required<KommoNotifications>['show_message']>[0];

/** What the page shows; a harness without page chrome has none. */
export interface NotificationDisplay {
  popup(data: PopupData): void;
  call(data: CallData): void;
  message(data: MessageData, kind: 'message' | 'error'): void;
}

/** Kommo's notifications plus `add_error`, which Kommo has and the widget does not use. */
export type HostNotifications = Required<KommoNotifications> & { add_error(data: MessageData): void };

export interface HostUser {
  id: number;
  name?: string;
  login?: string;
}

export interface AppDeps {
  recorder: Recorder;
  lang: string;
  /** The signed-in user; null for a page where APP.constant('user') answers nothing. */
  user: HostUser | null;
  /** The account's users (`APP.constant('managers')`); the first is the admin. */
  users: readonly HostUser[];
  display: NotificationDisplay | null;
  /** Where `APP.widgets.notificationsPhone` puts its button; null without page chrome. */
  dialer?: DialerDisplay | null;
}

// The one the sandbox's one-time tokens name, so its relay accepts them (scripts/sandbox/one-time-token.ts).
const ACCOUNT = SANDBOX_ACCOUNT;

function createNotifications({ recorder, display }: AppDeps): HostNotifications {
  return {
    show_notification: (data) => {
      recorder.notification('show_notification', data);
      display?.popup(data);
    },
    add_call: (data) => {
      recorder.notification('add_call', data);
      display?.call(data);
    },
    show_message: (data) => {
      recorder.notification('show_message', data);
      display?.message(data, 'message');
    },
    show_message_error: (data) => {
      recorder.notification('show_message_error', data);
      display?.message(data, 'error');
    },
    add_error: (data) => {
      recorder.notification('add_error', data);
      display?.message(data, 'error');
    },
  };
}

export function createApp(deps: AppDeps): KommoApp & { notifications: HostNotifications; lang_id: string; widgets: HostWidgets } {
  const managers = () =>
    Object.fromEntries(deps.users.map((u, i) => [u.id, { id: u.id, title: u.name, login: u.login, active: true, is_admin: i === 0 ? 'Y' : 'N' }]));
  // https://developers.kommo.com/docs/environment-variables
  function constant(name: 'user'): HostUser | undefined;
  function constant(name: 'account'): typeof ACCOUNT;
  function constant(name: string): unknown;
  function constant(name: string): unknown {
    const user = deps.user;
    if (name === 'user') return user ? { id: user.id, name: user.name, login: user.login } : undefined;
    if (name === 'account') return { ...ACCOUNT };
    if (name === 'managers') return managers();
    if (name === 'lang') return deps.lang;
    return undefined;
  }
  const app = { lang_id: deps.lang, constant, notifications: createNotifications(deps), widgets: createAppWidgets(deps.recorder, deps.dialer ?? null) };
  return app satisfies KommoApp;
}
