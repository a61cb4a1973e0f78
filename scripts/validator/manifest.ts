/**
 * manifest.json, per https://developers.kommo.com/docs/manifest-json: the `widget` block,
 * `locations`, and `settings` whose names are i18n keys present in every locale.
 */
import type { Fault, WidgetFiles } from './types';
import { fault } from './types';
import type { Locales } from './i18n';
import { lookupKey } from './i18n';
import { isRecord, readJson } from './text';

export const SETTING_TYPES = ['text', 'pass', 'users', 'users_lp', 'custom'] as const;

const FIXED_LOCATIONS = ['everywhere', 'settings', 'advanced_settings', 'card_sdk', 'catalogs', 'digital_pipeline', 'lead_sources', 'widget_page', 'sms', 'mobile_card', 'left_menu', 'salesbot_designer'];
const PAGE_LOCATION = /^(ccard|lcard|comcard|cucard|clist|llist|tlist|culist|cllist|catalogs)-[01]$/;
const FILE = 'manifest.json';

export function loadManifest(pkg: WidgetFiles, faults: Fault[]): Record<string, unknown> | null {
  const bytes = pkg.files.get(FILE);
  if (!bytes) return null; // the layout check reports it
  const data = readJson(FILE, bytes, faults);
  if (data === null) return null;
  if (!isRecord(data)) {
    faults.push(fault(FILE, 'is not a JSON object', 'make it an object with "widget", "locations" and "settings"'));
    return null;
  }
  return data;
}

function checkI18nKey(field: string, value: unknown, locales: Locales, faults: Fault[]): void {
  if (typeof value !== 'string' || !/^[\w-]+(\.[\w-]+)+$/.test(value)) {
    faults.push(fault(FILE, `${field} is ${JSON.stringify(value)}, not an i18n key`, `set ${field} to an i18n key such as "widget.name" and add it to every i18n file`));
    return;
  }
  for (const [locale, data] of locales) {
    if (typeof lookupKey(data, value) !== 'string') {
      faults.push(fault(`i18n/${locale}.json`, `lacks "${value}", which manifest.json uses for ${field}`, `add "${value}" to i18n/${locale}.json, translated`));
    }
  }
}

export function checkManifest(manifest: Record<string, unknown>, locales: Locales): Fault[] {
  const faults: Fault[] = [];
  const widget = manifest.widget;
  if (!isRecord(widget)) {
    faults.push(fault(FILE, '"widget" is missing or not an object', 'add "widget": {"name", "description", "short_description", "version", ...}'));
  } else {
    for (const key of ['name', 'description', 'short_description']) checkI18nKey(`widget.${key}`, widget[key], locales, faults);
    if (typeof widget.version !== 'string' || !/^\d+\.\d+\.\d+$/.test(widget.version)) {
      faults.push(fault(FILE, `widget.version is ${JSON.stringify(widget.version)}, not a version like "1.0.0"`, 'set widget.version to MAJOR.MINOR.PATCH, e.g. "1.0.0"'));
    }
    if (widget.interface_version !== 2) {
      faults.push(fault(FILE, `widget.interface_version is ${JSON.stringify(widget.interface_version)}`, 'set widget.interface_version to the number 2'));
    }
    if (typeof widget.init_once !== 'boolean') {
      faults.push(fault(FILE, `widget.init_once is ${JSON.stringify(widget.init_once)}, not a boolean`, 'set widget.init_once to true (telephony keeps one connection per page load) or false'));
    }
    if (widget.installation !== true) {
      faults.push(fault(FILE, `widget.installation is ${JSON.stringify(widget.installation)}`, 'set widget.installation to true'));
    }
    const locale = widget.locale;
    if (!Array.isArray(locale) || locale.length === 0 || !locale.every((l) => typeof l === 'string' && /^[a-z]{2}$/.test(l))) {
      faults.push(fault(FILE, 'widget.locale is not a list of two-letter locales', 'set widget.locale to e.g. ["en", "es", "pt", "ru", "tr", "id"]'));
    } else {
      for (const l of locale as string[]) {
        if (!locales.has(l)) faults.push(fault(`i18n/${l}.json`, `is missing, but manifest.json lists the locale "${l}"`, `add i18n/${l}.json or remove "${l}" from widget.locale`));
      }
      for (const l of locales.keys()) {
        if (!(locale as string[]).includes(l)) faults.push(fault(FILE, `widget.locale does not list "${l}", but i18n/${l}.json exists`, `add "${l}" to widget.locale or remove i18n/${l}.json`));
      }
      if (new Set(locale).size !== locale.length) faults.push(fault(FILE, 'widget.locale lists a locale twice', 'list each locale once'));
    }
    const support = widget.support;
    if (!isRecord(support)) {
      faults.push(fault(FILE, 'widget.support is missing (Kommo requires it)', 'add "support": {"link": "https://...", "email": "..."}'));
    } else {
      if (typeof support.link !== 'string' || !/^https?:\/\/[^\s/]+\.[^\s]+$/.test(support.link)) {
        faults.push(fault(FILE, `widget.support.link is ${JSON.stringify(support.link)}, not an http(s) URL`, 'set widget.support.link to the support page URL'));
      }
      if (typeof support.email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(support.email)) {
        faults.push(fault(FILE, `widget.support.email is ${JSON.stringify(support.email)}, not an e-mail address`, 'set widget.support.email to the support address'));
      }
    }
  }

  const locations = manifest.locations;
  if (!Array.isArray(locations) || locations.length === 0) {
    faults.push(fault(FILE, '"locations" is missing or empty', 'list where the widget runs, e.g. ["everywhere", "settings"]'));
  } else {
    for (const location of locations) {
      if (typeof location !== 'string' || !(FIXED_LOCATIONS.includes(location) || PAGE_LOCATION.test(location))) {
        faults.push(fault(FILE, `location ${JSON.stringify(location)} is not a Kommo location`, 'use Kommo locations such as "everywhere", "settings", "ccard-1" (no suffix on "everywhere")'));
      }
    }
    if (new Set(locations).size !== locations.length) faults.push(fault(FILE, '"locations" lists a location twice', 'list each location once'));
  }

  const settings = manifest.settings;
  if (settings !== undefined) {
    if (!isRecord(settings)) {
      faults.push(fault(FILE, '"settings" is not an object', 'make "settings" an object: {"key": {"name": "settings.key", "type": "text", "required": false}}'));
    } else {
      for (const [key, entry] of Object.entries(settings)) {
        const at = `settings.${key}`;
        if (!/^[a-z][a-z0-9_]*$/.test(key)) faults.push(fault(FILE, `setting key "${key}" is not lower_snake_case`, `rename "${key}" (letters, digits, underscores)`));
        if (!isRecord(entry)) {
          faults.push(fault(FILE, `${at} is not an object`, `make ${at} {"name": "settings.${key}", "type": "text", "required": false}`));
          continue;
        }
        checkI18nKey(`${at}.name`, entry.name, locales, faults);
        if (!(SETTING_TYPES as readonly unknown[]).includes(entry.type)) {
          faults.push(fault(FILE, `${at}.type is ${JSON.stringify(entry.type)}`, `set ${at}.type to one of ${SETTING_TYPES.join(', ')}`));
        }
        if (entry.required !== undefined && typeof entry.required !== 'boolean') {
          faults.push(fault(FILE, `${at}.required is ${JSON.stringify(entry.required)}, not a boolean`, `set ${at}.required to true or false`));
        }
      }
    }
  } else if (Array.isArray(locations) && locations.includes('settings')) {
    faults.push(fault(FILE, 'the "settings" location is listed but there are no "settings"', 'add the "settings" object or drop the location'));
  }
  return faults;
}
