/**
 * The sandbox's host page (scripts/sandbox/public/index.html): reads the sandbox's config, picks
 * the user and the language (query, then localStorage), opens the host with the page's pop-ups
 * and bell, adds the pages, navigation, settings modal, top bar and PBX panel, then loads
 * script.js and runs the page load's callbacks.
 */
import type { RawSettings } from '../../../src/platform/kommo';
import type { SandboxUser } from '../users';
import { createBell } from './bell';
import { watchCallEvents } from './call-events';
import { createDialerMenu } from './dialer';
import { fetchJson } from './fetch-json';
import { openHost } from './host';
import { WidgetLoadError } from './loader';
import { installNavigation } from './navigation';
import { createPages } from './pages';
import { installPbxPanel } from './pbx-panel';
import { createPopupLayer } from './popups';
import { createRecorder } from './recorder';
import { installSettingsModal } from './settings-modal';
import { localSettings, STORAGE_KEYS } from './settings-store';
import { installTopbar } from './topbar';

/** What GET /sandbox/config answers (scripts/sandbox/server.ts). */
interface SandboxPageConfig {
  wsUrl: string;
  token: string;
  users: SandboxUser[];
  locales: string[];
  widget: { path: string; code: string; version: string };
  popupMs: number;
}

/** How long a message stays on screen. */
const TOAST_MS = 6000;

/** Out of the box the widget points at this sandbox's relay, one extension per user. */
function defaultSettings(config: SandboxPageConfig): RawSettings {
  return {
    ws_url: config.wsUrl,
    poll_url: '',
    poll_interval: '3',
    token: config.token,
    phones: Object.fromEntries(config.users.map((u) => [String(u.id), u.extension])),
    country: 'US',
    notify_mode: 'widget',
  };
}

function pickUser(params: URLSearchParams, users: SandboxUser[]): SandboxUser {
  const wanted = params.get('user') ?? localStorage.getItem(STORAGE_KEYS.user);
  return users.find((u) => String(u.id) === String(wanted) || u.extension === wanted) ?? users[0]!;
}

export async function bootSandbox(): Promise<void> {
  const recorder = createRecorder();
  const params = new URLSearchParams(location.search);
  try {
    const config = await fetchJson<SandboxPageConfig>('/sandbox/config');
    const wantedLang = params.get('lang') || localStorage.getItem(STORAGE_KEYS.lang) || 'en';
    const lang = config.locales.includes(wantedLang) ? wantedLang : 'en';
    const user = pickUser(params, config.users);
    const popupMs = Number(params.get('popup_ms')) > 0 ? Number(params.get('popup_ms')) : config.popupMs;
    const popups = createPopupLayer({ popupMs, toastMs: TOAST_MS });
    const bell = createBell({ recorder, lang });
    const host = await openHost({
      recorder,
      widget: config.widget,
      lang,
      user,
      users: config.users,
      settings: localSettings(localStorage, () => defaultSettings(config)),
      display: { ...popups, call: bell.call },
      dialer: createDialerMenu(),
    });
    const pages = createPages(host, user.extension);
    const modal = installSettingsModal(host, pages);
    installNavigation(host, pages, bell);
    installTopbar({ users: config.users, user, locales: config.locales, lang, bell, modal });
    pages.render();
    installPbxPanel(user.extension, lang);
    // Kommo's own call notifications for this user, from before the widget can post one.
    await watchCallEvents(bell, user.id).catch((error: Error) => recorder.error('call notifications', error.message));
    await host.loadWidget();
    host.lifecycle.pageLoad();
  } catch (error) {
    // A failed load is already recorded by the host.
    if (!(error instanceof WidgetLoadError)) recorder.error('boot', error instanceof Error ? error.message : error);
  } finally {
    recorder.record.ready = true;
  }
}
