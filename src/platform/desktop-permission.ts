/**
 * The settings panel's block for desktop notifications: what this browser allows, and while it
 * has not been asked, a button that asks (the click is the user gesture browsers require; nothing
 * asks on its own). The permission is the browser's, per site: the block says so. A browser
 * without the API gets no block at all. Every text goes in through `.text()`.
 */
import { desktopStringsFrom } from '../notify/desktop-strings';
import type { DesktopNotifications, DesktopPermission } from '../notify/desktop-types';
import { desktopPermission, requestDesktopPermission } from './desktop-notifications';

export interface DesktopPermissionDeps {
  /** The i18n `desktop` section (`host.strings('desktop')`); English where a text is missing. */
  strings?: Record<string, unknown>;
  /** The page's notifications' permission; by default the window's. */
  desktop?: Pick<DesktopNotifications, 'permission' | 'request'>;
}

const STATE_KEY = { default: 'settings_default', granted: 'settings_granted', denied: 'settings_denied' } as const;

/** Adds the block after `$after`; returns the undo. */
export function renderDesktopPermission($: JQueryStatic, $after: JQuery, deps: DesktopPermissionDeps = {}): () => void {
  const desktop = deps.desktop ?? { permission: () => desktopPermission(window), request: () => requestDesktopPermission(window) };
  const strings = desktopStringsFrom(deps.strings);
  if (desktop.permission() === 'unsupported') return () => {};

  const $block = $('<div class="telephony-desktop" data-testid="telephony-desktop"></div>').css({ margin: '12px 0', lineHeight: '1.4' });
  const $title = $('<div class="telephony-desktop__title"></div>').css({ fontWeight: 'bold', marginBottom: '4px' }).text(strings.settings_title);
  const $state = $('<div class="telephony-desktop__state" data-testid="telephony-desktop-state" role="status"></div>');
  const $button = $('<button type="button" class="button-input telephony-desktop__ask" data-testid="telephony-desktop-ask"></button>')
    .css({ marginTop: '6px' })
    .text(strings.settings_button);
  $block.append($title, $state, $button);

  let open = true;
  const show = (permission: DesktopPermission) => {
    if (!open || permission === 'unsupported') return;
    $block.attr('data-permission', permission);
    $state.text(strings[STATE_KEY[permission]]);
    $button.toggle(permission === 'default');
  };
  $button.on('click', (event) => {
    event.preventDefault();
    void desktop.request().then(show);
  });
  show(desktop.permission());
  $after.after($block);
  return () => {
    open = false;
    $block.remove();
  };
}
