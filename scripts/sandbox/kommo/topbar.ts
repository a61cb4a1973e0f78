/**
 * The top bar: the signed-in user and the language (each a new Kommo session: the page reloads,
 * and the widget reads its new i18n on init), the widget's settings and the bell.
 */
import type { Bell } from './bell';
import { byId, element } from './dom';
import type { HostUser } from './app';
import type { SettingsModal } from './settings-modal';
import { STORAGE_KEYS } from './settings-store';

export interface TopbarDeps {
  users: ReadonlyArray<HostUser & { extension: string }>;
  user: HostUser;
  locales: readonly string[];
  lang: string;
  bell: Bell;
  modal: SettingsModal;
}

function fillSelect(select: HTMLSelectElement, options: Array<[value: string, label: string]>, current: string): void {
  select.replaceChildren(...options.map(([value, label]) => Object.assign(element('option', { value }, label), { value })));
  select.value = current;
}

export function installTopbar({ users, user, locales, lang, bell, modal }: TopbarDeps): void {
  const userSwitch = byId<HTMLSelectElement>('user-switch');
  fillSelect(userSwitch, users.map((u) => [String(u.id), `${u.name} (ext. ${u.extension})`]), String(user.id));
  userSwitch.addEventListener('change', () => {
    localStorage.setItem(STORAGE_KEYS.user, userSwitch.value);
    location.reload();
  });
  const langSwitch = byId<HTMLSelectElement>('lang-switch');
  fillSelect(langSwitch, locales.map((l) => [l, l]), lang);
  langSwitch.addEventListener('change', () => {
    localStorage.setItem(STORAGE_KEYS.lang, langSwitch.value);
    location.reload();
  });
  byId('bell').addEventListener('click', () => bell.toggle());
  byId('settings-open').addEventListener('click', () => modal.open());
}
