/**
 * The widget's settings modal, as Kommo builds it: the manifest's fields (a text box per user for
 * a `users` field), then the widget's `settings($body)` callback. Save calls
 * `onSave({active: 'Y', fields})`: false or a rejected promise keeps the modal open and says so.
 * Switch off calls `onSave({active: 'N'})`, then `destroy`. As in Kommo, the modal of a widget
 * that is off still runs its `settings` callback (an instance is made for it) and its on/off
 * switch turns it back on: a save with `active: 'Y'`, refused like any save.
 * https://developers.kommo.com/docs/manifest-json  https://developers.kommo.com/docs/script-js#callbacks
 */
import type { RawSettings } from '../../../src/platform/kommo';
import { byId, element } from './dom';
import type { Host } from './host';
import type { ManifestField } from './loader';
import type { Pages } from './pages';

export interface SettingsModal {
  open(): void;
}

/** The field's name is a key of the locale file ('settings.ws_url'); untranslated, the key itself. */
function fieldLabel(host: Host, field: ManifestField, key: string): string {
  const name = field.name || key;
  let value: unknown = host.files.langData;
  for (const part of name.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return typeof value === 'string' ? value : name;
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function usersMap(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') {
    try {
      return (JSON.parse(value) as Record<string, unknown>) ?? {};
    } catch {
      return {};
    }
  }
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function input(attributes: Record<string, string>, value: string): HTMLInputElement {
  const el = element('input', attributes);
  el.value = value;
  return el;
}

function fieldRow(host: Host, key: string, field: ManifestField, value: unknown): HTMLElement {
  const row = element('div', { class: 'widget_settings_block__item_field', 'data-field': key });
  const title = `${fieldLabel(host, field, key)}${field.required ? ' *' : ''}`;
  if (field.type === 'custom') {
    row.append(input({ type: 'hidden', name: key }, asText(value)));
  } else if (field.type === 'users' || field.type === 'users_lp') {
    const map = usersMap(value);
    const boxes = host.users.map((u) =>
      element('label', {}, `${u.name ?? u.id} `, input({ type: 'text', 'data-users-key': key, 'data-user-id': String(u.id), name: `${key}[${u.id}]` }, asText(map[u.id] || ''))),
    );
    row.append(element('div', { class: 'widget_settings_block__title_field' }, title), element('div', { class: 'users-field' }, ...boxes));
  } else {
    const type = field.type === 'pass' ? 'password' : 'text';
    const box = input({ class: 'widget_settings_block__controls__ text-input', type, name: key, 'data-testid': `setting-${key}` }, value === null || value === undefined ? '' : String(value));
    row.append(element('label', {}, element('span', { class: 'widget_settings_block__title_field' }, title), box));
  }
  return row;
}

function collectFields(body: HTMLElement): RawSettings {
  const fields: RawSettings = {};
  for (const box of Array.from(body.querySelectorAll<HTMLInputElement>('input[name]'))) {
    const usersKey = box.getAttribute('data-users-key');
    if (usersKey) {
      const map = (fields[usersKey] ?? {}) as Record<string, string>;
      map[box.getAttribute('data-user-id') ?? ''] = box.value;
      fields[usersKey] = map;
    } else if (!box.name.includes('[')) {
      fields[box.name] = box.value;
    }
  }
  return fields;
}

/** Kommo's on/off toggle in the modal's head: a switch that says the state and changes it. */
function onOffSwitch(): { el: HTMLButtonElement; show(active: boolean): void } {
  const el = element('button', { type: 'button', role: 'switch', 'data-testid': 'settings-active', 'aria-label': 'Widget switched on' });
  el.style.cssText = 'border: 0; border-radius: 10px; padding: 1px 12px; font-size: 12px; font-weight: 700; cursor: pointer;';
  return {
    el,
    show(active) {
      el.setAttribute('aria-checked', String(active));
      el.textContent = active ? 'On' : 'Off';
      el.title = active ? 'Switch the widget off' : 'Switch the widget on (saves these settings)';
      el.style.background = active ? '#2da44e' : '#d0d7de';
      el.style.color = active ? '#fff' : '#24292f';
    },
  };
}

export function installSettingsModal(host: Host, pages: Pages): SettingsModal {
  const { lifecycle, recorder, settings } = host;
  const body = () => byId('modal-body');

  function close(): void {
    byId('modal-backdrop').hidden = true;
    body().replaceChildren();
  }

  function refused(reason?: unknown): void {
    const box = byId('modal-refused');
    const message = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : '';
    box.textContent = `The widget refused these settings.${message ? ` ${message}` : ''}`;
    box.hidden = false;
    recorder.step('onSave:refused');
  }

  const onOff = onOffSwitch();

  /** The switch, the Save label and the Switch off button say the state the modal opened in. */
  function showState(active: boolean): void {
    onOff.show(active);
    const head = byId('modal-status');
    head.classList.remove('badge');
    head.replaceChildren(onOff.el);
    byId('modal-save').textContent = active ? 'Save' : 'Save and switch on';
    byId('modal-off').hidden = !active;
  }

  function open(): void {
    const values = settings.read();
    const fields = host.files.manifest?.settings ?? {};
    byId('modal-refused').hidden = true;
    showState(settings.active());
    body().replaceChildren(...Object.entries(fields).map(([key, field]) => fieldRow(host, key, field ?? {}, values[key])));
    byId('modal-backdrop').hidden = false;
    const $ = host.$();
    // Off, the page made no instance (pageLoad skips it); Kommo's modal still runs the widget's callback.
    lifecycle.ensureInstance();
    if ($) lifecycle.call('settings', $(body()));
  }

  function save(): void {
    const fields = collectFields(body());
    const wasActive = settings.active();
    lifecycle.ensureInstance();
    const result = lifecycle.call('onSave', { active: 'Y', fields });
    recorder.step('onSave:Y');
    Promise.resolve(result).then((ok) => {
      if (ok === false) return refused();
      settings.merge(fields);
      settings.setActive(true);
      recorder.step('onSave:accepted');
      close();
      if (!wasActive) lifecycle.switchedOn();
    }, refused);
  }

  function switchOff(): void {
    const fields = collectFields(body());
    lifecycle.call('onSave', { active: 'N', fields });
    recorder.step('onSave:N');
    lifecycle.call('destroy');
    settings.setActive(false);
    lifecycle.switchedOff();
    close();
    pages.render();
  }

  byId('modal-save').addEventListener('click', save);
  byId('modal-off').addEventListener('click', switchOff);
  onOff.el.addEventListener('click', () => (settings.active() ? switchOff() : save()));
  byId('modal-cancel').addEventListener('click', close);
  recorder.record.openSettings = open;
  return { open };
}
