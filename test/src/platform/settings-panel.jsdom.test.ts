/** @jest-environment jsdom */
import $ from 'jquery';
import { renderSettingsPanel as renderWith, readSettingsForm, type SettingsPanelDeps } from '../../../src/platform/settings-panel';
import { settingsRules } from '../../../src/settings/rules';
import { openSettings } from '../../../src/platform/settings-modal';
import type { Host } from '../../../src/platform/host';
import type { Lifecycle } from '../../../src/platform/lifecycle';
import type { FeedStatus } from '../../../src/feed/types';
import es from '../../../i18n/es.json';
import en from '../../../i18n/en.json';

type Section = Record<string, string>;
/** The panel with the rules script.js hands it. */
const renderSettingsPanel = ($body: JQuery, deps: Omit<SettingsPanelDeps, 'rules'>) => renderWith($body, { rules: settingsRules, ...deps });
const stringsOf = (section: Section) => (key: string) => section[key] ?? key;

/** The modal the way Kommo renders the manifest fields: inputs named after the keys. */
function modal(values: Record<string, string> = {}): JQuery {
  const $body = $('<div class="widget-settings__modal"></div>');
  for (const key of ['ws_url', 'poll_url', 'poll_interval', 'token', 'country', 'notify_mode']) {
    $body.append($('<input type="text">').attr('name', key).val(values[key] ?? ''));
  }
  $body.append($('<input type="text" name="phones[504141]">').val(values.me ?? '101'));
  $body.append($('<input type="text" name="phones[7]">').val(values.other ?? ''));
  $('body').empty().append($body);
  return $body;
}

function type($body: JQuery, name: string, value: string) {
  const el = $body.find(`[name="${name}"]`)[0] as HTMLInputElement;
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

const items = ($body: JQuery) =>
  $body.find('.telephony-settings-check__list li').map((_, li) => $(li).text()).get();

describe('settings panel in the modal', () => {
  it('shows the localized mixed-content error as the admin types a ws: URL on an https page, and clears it for wss:', () => {
    const $body = modal({ token: 'secret' });
    const panel = renderSettingsPanel($body, { $, strings: stringsOf(es.settings), ctx: { pageProtocol: 'https:', userId: '504141' } });
    expect(items($body)).toEqual([`Error: ${es.settings.problem_transport_missing}`]);

    type($body, 'ws_url', 'ws://pbx.example.com/feed');
    expect(items($body)).toEqual([`Error: ${es.settings.problem_ws_insecure}`]);
    expect($body.find('[name="ws_url"]').attr('aria-invalid')).toBe('true');

    type($body, 'ws_url', 'wss://pbx.example.com/feed');
    expect(items($body)).toEqual([es.settings.panel_ok]);
    expect($body.find('[name="ws_url"]').attr('aria-invalid')).toBeUndefined();
    panel.dispose();
  });

  it('re-checks per-user extension inputs and warns when the current user has none', () => {
    const $body = modal({ ws_url: 'wss://pbx.example.com', token: 't', me: '' , other: '200' });
    const panel = renderSettingsPanel($body, { $, strings: stringsOf(en.settings), ctx: { pageProtocol: 'https:', userId: '504141' } });
    expect(items($body)).toEqual([`Warning: ${en.settings.problem_phones_missing_self}`]);
    type($body, 'phones[504141]', '10x');
    expect(items($body)).toEqual([`Error: User 504141: "10x" is not a valid extension. Use digits, *, # or + (up to 16 characters), separated by commas.`]);
    panel.dispose();
    const named = renderSettingsPanel($body, {
      $, strings: stringsOf(en.settings), ctx: { pageProtocol: 'https:', userId: '504141' }, userName: (id) => (id === '504141' ? 'Anna Lima' : undefined),
    });
    expect(items($body)[0]).toMatch(/^Error: User Anna Lima \(504141\): "10x" is not a valid extension/);
    named.dispose();
  });

  it('escapes what the admin typed', () => {
    const $body = modal({ token: 't', ws_url: '<img src=x onerror=alert(1)>' });
    const panel = renderSettingsPanel($body, { $, strings: stringsOf(en.settings), ctx: { pageProtocol: 'https:', userId: '504141' } });
    expect($body.find('.telephony-settings-check img')).toHaveLength(0);
    expect(items($body)[0]).toContain('"<img src=x onerror=alert(1)>" is not a valid address');
    panel.dispose();
  });

  it('dispose removes the panel and stops listening', () => {
    const $body = modal({ token: 't', ws_url: 'ws://a.example.com' });
    const read = jest.fn(() => readSettingsForm($, $body));
    const panel = renderSettingsPanel($body, { $, strings: stringsOf(en.settings), ctx: { pageProtocol: 'https:', userId: '504141' }, read });
    expect(read).toHaveBeenCalledTimes(1);
    panel.dispose();
    type($body, 'ws_url', 'wss://a.example.com');
    expect(read).toHaveBeenCalledTimes(1);
    expect($body.find('.telephony-settings-check')).toHaveLength(0);
    expect($body.find('[aria-invalid]')).toHaveLength(0);
  });
});

describe('readSettingsForm', () => {
  it('reads per-user inputs, a JSON `phones` field, or falls back to the saved values', () => {
    const $perUser = $('<div><input name="ws_url" value="wss://a"><input name="phones[users][12]" value="1,2"><input name="phones.13" value="3"></div>');
    expect(readSettingsForm($, $perUser, { token: 'saved' })).toEqual({ token: 'saved', ws_url: 'wss://a', phones: { '12': '1,2', '13': '3' } });
    const $json = $('<div><input type="hidden" name="phones" value=\'{"5":"55"}\'></div>');
    expect(readSettingsForm($, $json, { phones: { '5': 'old' } })).toEqual({ phones: '{"5":"55"}' });
    const $none = $('<div><input name="country" value="de"></div>');
    expect(readSettingsForm($, $none, { phones: { '5': '55' } })).toEqual({ phones: { '5': '55' }, country: 'de' });
  });
});

describe('notify_mode select', () => {
  it('offers the two modes in the user language and writes the choice into Kommo\'s text field', () => {
    const $body = modal({ token: 't', ws_url: 'wss://a.example.com', notify_mode: '' });
    const panel = renderSettingsPanel($body, { $, strings: stringsOf(es.settings), ctx: { pageProtocol: 'https:', userId: '504141' } });
    const $select = $body.find('select[data-testid="telephony-notify-mode"]');
    expect($select.find('option').map((_, o) => $(o).text()).get()).toEqual([es.settings.notify_mode_widget, es.settings.notify_mode_events]);
    expect($select.val()).toBe('widget');
    expect($body.find('input[name="notify_mode"]').css('display')).toBe('none');
    ($select[0] as HTMLSelectElement).value = 'events';
    $select[0]!.dispatchEvent(new Event('change', { bubbles: true }));
    expect($body.find('input[name="notify_mode"]').val()).toBe('events');
    expect(readSettingsForm($, $body).notify_mode).toBe('events');
    panel.dispose();
    expect($body.find('select')).toHaveLength(0);
    expect($body.find('input[name="notify_mode"]').css('display')).not.toBe('none');
  });

  it('leaves an unknown stored value visible to the check until a choice is made', () => {
    const $body = modal({ token: 't', ws_url: 'wss://a.example.com', notify_mode: 'popup' });
    const panel = renderSettingsPanel($body, { $, strings: stringsOf(en.settings), ctx: { pageProtocol: 'https:', userId: '504141' } });
    expect($body.find('select').prop('selectedIndex')).toBe(-1);
    expect(items($body)).toEqual([`Error: Call notifications must be "widget" or "events" (now "popup").`]);
    panel.dispose();
  });
});

describe('openSettings: the connection block', () => {
  const host = (raw: Record<string, unknown>) =>
    ({ strings: (section: string) => (en as unknown as Record<string, Record<string, string>>)[section] ?? {}, user: () => ({ id: '504141' }), rawSettings: () => raw, isAdmin: () => false }) as unknown as Host;
  const runningWith = (feed: FeedStatus) =>
    ({ state: { status: 'running', telephony: { status: () => ({ status: 'leader', feed, access: 'ticket' }), stop() {} } } }) as unknown as Lifecycle;
  const blocks = ($body: JQuery) => $body.children('.telephony-settings-check, .telephony-connection').map((_, el) => el.getAttribute('data-testid')).get();

  it('a refused token: a problem, styled and titled as one, before "The settings look correct."', () => {
    const raw = { ws_url: 'wss://pbx.example.com/ws', token: 'wrong', phones: { '504141': '101' } };
    const $body = modal({ ws_url: raw.ws_url, token: raw.token });
    const close = openSettings($, $body, host(raw), runningWith({ status: 'closed', reason: 'unauthorized' }), settingsRules);
    expect(blocks($body)).toEqual(['telephony-connection', 'telephony-settings-check']);
    expect(items($body)).toEqual([en.settings.panel_ok]);
    const $block = $body.find('[data-testid=telephony-connection]');
    expect($block.attr('data-tone')).toBe('problem');
    expect($block.attr('role')).toBe('alert');
    expect($block.find('.telephony-connection__title').text()).toBe(en.status.title_problem);
    expect($body.find('[data-testid=telephony-status]').text()).toBe(en.status.unauthorized);
    expect($block[0]!.style.background).not.toBe('');
    close();
    expect($body.find('.telephony-connection, .telephony-settings-check')).toHaveLength(0);
  });

  it('connected: under the checks, titled plainly; the settings errors of a misconfigured widget stay above the line pointing at them', () => {
    const raw = { ws_url: 'wss://pbx.example.com/ws', token: 't', phones: { '504141': '101' } };
    const $ok = modal({ ws_url: raw.ws_url, token: raw.token });
    openSettings($, $ok, host(raw), runningWith({ status: 'open' }), settingsRules);
    expect(blocks($ok)).toEqual(['telephony-settings-check', 'telephony-connection']);
    expect($ok.find('[data-testid=telephony-connection]').attr('data-tone')).toBe('ok');
    expect($ok.find('.telephony-connection__title').text()).toBe(en.status.title);
    const $bad = modal({ ws_url: 'nonsense', token: 't' });
    openSettings($, $bad, host({}), { state: { status: 'misconfigured' } } as unknown as Lifecycle, settingsRules);
    expect(blocks($bad)).toEqual(['telephony-settings-check', 'telephony-connection']);
    expect($bad.find('[data-testid=telephony-connection]').attr('data-tone')).toBe('problem');
  });
});

describe('the panel on an http page with a ws: URL (the sandbox)', () => {
  it('warns that Kommo runs on https, lists errors before warnings, and the warnings alone do not block saving', () => {
    const $body = modal({ ws_url: 'ws://127.0.0.1:8090/ws', token: '', country: 'ZZ' });
    const panel = renderSettingsPanel($body, { $, strings: stringsOf(en.settings), ctx: { pageProtocol: 'http:', userId: '504141' } });
    expect(items($body)).toEqual([
      `Error: ${en.settings.problem_country_unknown.replace('{{value}}', 'ZZ')}`,
      `Warning: ${en.settings.problem_ws_not_on_kommo}`,
      `Warning: ${en.settings.problem_token_missing}`,
    ]);
    type($body, 'country', 'US');
    expect(items($body)).toEqual([`Warning: ${en.settings.problem_ws_not_on_kommo}`, `Warning: ${en.settings.problem_token_missing}`]);
    expect($body.find('[aria-invalid]')).toHaveLength(0);
    expect(settingsRules.parseSettings(readSettingsForm($, $body), { pageProtocol: 'http:', userId: '504141' }).settings).not.toBeNull();
    panel.dispose();
  });
});
