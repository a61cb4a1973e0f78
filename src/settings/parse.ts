/**
 * The manifest settings, as `get_settings()` or the settings modal hand them over, checked and
 * turned into `WidgetSettings`. Pure: the page protocol and the current user come in `ctx`.
 * Every problem names an i18n key of the `settings` section (placeholders `{{name}}`).
 * Keys are fixed by manifest.json: https://developers.kommo.com/docs/manifest-json
 */
import type { ParsedSettings, SettingsContext, SettingsProblem, TransportSettings, WidgetSettings } from './types';
import { isSupportedCountry } from './countries';
import { parsePhones } from './phones';
import { parseSettingsUrl } from './address';

const POLL_INTERVAL_SECONDS = { min: 1, max: 60, default: 3 } as const;

type NotifyMode = WidgetSettings['notifyMode'];
/**
 * `notify_mode` is a manifest `text` field, validated here, not `custom`: a `custom` field only
 * exists when our script renders it (src/platform/settings-panel.ts shows a select over the text).
 */
export const NOTIFY_MODES: readonly NotifyMode[] = ['widget', 'events'];

/** A text field's value: Kommo stores strings, but a number typed by an API client is accepted too. */
function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value === null || value === undefined || typeof value === 'object') return '';
  return String(value).trim();
}

/** `http:` -> `http`, for the `{{scheme}}://` placeholder. */
const schemeOf = (url: URL) => url.protocol.replace(/:$/, '');

function parseTransport(raw: Record<string, unknown>, ctx: SettingsContext, problems: SettingsProblem[]): TransportSettings | null {
  const wsUrl = text(raw.ws_url);
  const pollUrl = text(raw.poll_url);
  const secure = ctx.pageProtocol === 'https:';

  if (wsUrl && pollUrl) {
    problems.push({ field: 'poll_url', severity: 'error', key: 'problem_transport_both' });
    return null;
  }
  if (!wsUrl && !pollUrl) {
    problems.push({ field: 'ws_url', severity: 'error', key: 'problem_transport_missing' });
    return null;
  }
  if (wsUrl) {
    const url = parseSettingsUrl(wsUrl);
    if (!url) {
      problems.push({ field: 'ws_url', severity: 'error', key: 'problem_ws_url_invalid', params: { value: wsUrl } });
      return null;
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
      problems.push({ field: 'ws_url', severity: 'error', key: 'problem_ws_scheme', params: { scheme: schemeOf(url) } });
      return null;
    }
    // Browsers block ws: from an https: page (mixed content): it could never connect.
    if (url.protocol === 'ws:' && secure) {
      problems.push({ field: 'ws_url', severity: 'error', key: 'problem_ws_insecure' });
      return null;
    }
    // On an http page (the sandbox) ws: connects; on Kommo, always https, the browser refuses it.
    if (url.protocol === 'ws:') problems.push({ field: 'ws_url', severity: 'warning', key: 'problem_ws_not_on_kommo' });
    return { kind: 'ws', url: wsUrl };
  }
  // Only polling uses the interval: a WebSocket install is not refused over a field it ignores.
  const intervalMs = parseInterval(raw.poll_interval, problems);
  const url = parseSettingsUrl(pollUrl);
  if (!url) {
    problems.push({ field: 'poll_url', severity: 'error', key: 'problem_poll_url_invalid', params: { value: pollUrl } });
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push({ field: 'poll_url', severity: 'error', key: 'problem_poll_scheme', params: { scheme: schemeOf(url) } });
    return null;
  }
  if (url.protocol === 'http:' && secure) {
    problems.push({ field: 'poll_url', severity: 'error', key: 'problem_poll_insecure' });
    return null;
  }
  if (intervalMs === null) return null;
  // A PBX that cannot send CORS headers serves a script instead (call-feed protocol, "Script").
  const mode = /\.js$/i.test(url.pathname) ? 'script' : 'json';
  return { kind: 'poll', url: pollUrl, mode, intervalMs };
}

/** Seconds (a comma decimal is accepted: several Kommo locales write 1,5) -> ms; null after a problem. */
function parseInterval(value: unknown, problems: SettingsProblem[]): number | null {
  const raw = text(value);
  if (raw === '') return POLL_INTERVAL_SECONDS.default * 1000;
  const seconds = /^\d+([.,]\d+)?$/.test(raw) ? Number(raw.replace(',', '.')) : Number.NaN;
  if (!(seconds >= POLL_INTERVAL_SECONDS.min && seconds <= POLL_INTERVAL_SECONDS.max)) {
    problems.push({
      field: 'poll_interval',
      severity: 'error',
      key: 'problem_poll_interval',
      params: { value: raw, min: String(POLL_INTERVAL_SECONDS.min), max: String(POLL_INTERVAL_SECONDS.max) },
    });
    return null;
  }
  return Math.round(seconds * 1000);
}

function parseCountry(value: unknown, problems: SettingsProblem[]): string | undefined | null {
  const raw = text(value);
  if (raw === '') return undefined;
  const code = raw.toUpperCase();
  if (!/^[A-Z]{2}$/.test(code) || !isSupportedCountry(code)) {
    problems.push({ field: 'country', severity: 'error', key: 'problem_country_unknown', params: { value: raw } });
    return null;
  }
  return code;
}

function parseNotifyMode(value: unknown, problems: SettingsProblem[]): NotifyMode | null {
  const raw = text(value).toLowerCase();
  if (raw === '') return 'widget';
  if ((NOTIFY_MODES as readonly string[]).includes(raw)) return raw as NotifyMode;
  problems.push({ field: 'notify_mode', severity: 'error', key: 'problem_notify_mode', params: { value: text(value) } });
  return null;
}

export function parseSettings(raw: Record<string, unknown> | null | undefined, ctx: SettingsContext): ParsedSettings {
  const values = raw && typeof raw === 'object' ? raw : {};
  const problems: SettingsProblem[] = [];

  const transport = parseTransport(values, ctx, problems);
  const token = text(values.token);
  // Empty is right with a relay that issues per-user tickets (the widget signs in as the Kommo
  // user); only a version-1 relay needs the shared token. Said, not refused.
  if (token === '') problems.push({ field: 'token', severity: 'warning', key: 'problem_token_missing' });
  const phones = parsePhones(values.phones, ctx.userId, problems);
  const country = parseCountry(values.country, problems);
  const notifyMode = parseNotifyMode(values.notify_mode, problems);

  const failed = problems.some((problem) => problem.severity === 'error');
  if (failed || !transport || !phones || country === null || !notifyMode) return { settings: null, problems };
  const settings: WidgetSettings = { transport, token, phones, notifyMode };
  if (country !== undefined) settings.country = country;
  return { settings, problems };
}

/** The extensions of one Kommo user (the `phones` setting); none when the user has none. */
export function extensionsFor(settings: Pick<WidgetSettings, 'phones'>, userId: string | number | null | undefined): string[] {
  if (userId === null || userId === undefined) return [];
  const own = settings.phones[String(userId)];
  return own ? [...own] : [];
}
