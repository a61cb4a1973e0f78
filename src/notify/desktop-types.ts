/**
 * Desktop notifications (Web Notifications API) as the core sees them: a plain interface the
 * platform layer implements over `window.Notification` (src/platform/desktop-notifications.ts)
 * and tests implement by hand. A browser without the API answers `unsupported` and shows nothing.
 * https://developer.mozilla.org/docs/Web/API/Notification
 */

/** `Notification.permission`, or `unsupported` where the browser has no `Notification`. */
export type DesktopPermission = 'default' | 'granted' | 'denied' | 'unsupported';

/** What one notification says; plain text (the browser shows it as text). */
export interface DesktopNote {
  title: string;
  body: string;
  /** One per call: the browser replaces a notification of the same tag rather than stack a second. */
  tag: string;
}

export interface DesktopShown {
  close(): void;
}

export interface DesktopNotifications {
  permission(): DesktopPermission;
  /**
   * Asks the user, only from a click (the pop-up's link, the settings button): browsers ignore or
   * block a request without a user gesture. Answers the permission after the user chose (or not).
   */
  request(): Promise<DesktopPermission>;
  /** null: nothing shown (no permission, or the browser refused, e.g. a constructor that throws). */
  show(note: DesktopNote, on: { click(): void; close(): void }): DesktopShown | null;
  /** Brings this tab to the front and opens `path` inside the app (as a `js-navigate-link` does); null: the tab alone. */
  open(path: string | null): void;
}
