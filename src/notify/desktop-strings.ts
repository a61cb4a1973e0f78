/** The desktop notification's texts: the i18n `desktop` section as a typed object (plain text). */
import { stringsFrom } from '../core/template';

export interface DesktopStrings {
  /** The notification's title: `{{name}}` is the caller as the pop-up names them (card, else number). */
  incoming: string;
  /** The link in the first pop-up while the browser has not been asked yet. */
  offer: string;
  /** The settings panel's block (src/platform/desktop-permission.ts): per state of this browser's permission. */
  settings_title: string;
  settings_default: string;
  settings_button: string;
  settings_granted: string;
  settings_denied: string;
}

export const ENGLISH_DESKTOP_STRINGS: Readonly<DesktopStrings> = Object.freeze({
  incoming: 'Incoming call: {{name}}',
  offer: 'Show calls when Kommo is in the background',
  settings_title: 'Desktop notifications',
  settings_default: 'This browser can also show incoming calls as desktop notifications while Kommo is in the background.',
  settings_button: 'Show calls when Kommo is in the background',
  settings_granted: 'On in this browser: incoming calls show a desktop notification while Kommo is in the background.',
  settings_denied: 'Blocked in this browser. To turn them on, allow notifications for this site in the browser\'s site settings.',
});

export function desktopStringsFrom(section: Record<string, unknown> | undefined): DesktopStrings {
  return stringsFrom(ENGLISH_DESKTOP_STRINGS, section);
}
