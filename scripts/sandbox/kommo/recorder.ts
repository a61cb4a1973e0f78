/**
 * `window.__sandbox`: everything the widget asked of the host, for the tests, the benchmarks and
 * a curious developer. Its shape is read by test/support/browser.ts, test/support/kommo-jsdom.ts,
 * test/e2e/*.chromium.test.ts and scripts/bench/*.ts.
 */
import type { KommoWidgetInstance } from '../../../src/platform/kommo';
import { hostWindow } from './page-globals';

export const NOTIFICATION_KINDS = ['show_notification', 'add_call', 'show_message', 'show_message_error', 'add_error'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface SandboxRecord {
  /** The host has loaded script.js and run the page load's callbacks (or failed: see errors). */
  ready: boolean;
  /** Every call the widget made to APP.notifications.*, with a copy of its argument. */
  calls: Record<NotificationKind, unknown[]>;
  /** Callbacks the host ran, in order: 'render', 'init', 'bind_actions', 'destroy', 'settings', 'onSave:Y'... */
  lifecycle: string[];
  /** Errors the widget threw into the host (there should be none). */
  errors: Array<{ callback: string; message: string }>;
  pageChanged: number;
  navigations: Array<{ url: string; inApp: boolean }>;
  /** add_action calls per type ('phone': 1). */
  actions: Record<string, number>;
  widget: KommoWidgetInstance | null;
  navigate: ((url: string, push?: boolean) => void) | null;
  openSettings: (() => void) | null;
  /** The notification centre's entries (add_call data), newest first. */
  bell: unknown[];
  /** When each APP.notifications call happened (ms since the epoch), for the benchmarks. */
  timeline: Array<{ kind: NotificationKind; at: number }>;
  clickToCall?: Array<{ value: string; handled: boolean }>;
  /** APP.widgets.notificationsPhone registrations (dialer.ts); `press` clicks that dialer as the menu button does. */
  dialers: Array<{ ns: string; clickable: boolean; press(): void }>;
  loadError?: string;
  /** How many times the widget called each APP.notifications method. */
  counts(): Record<NotificationKind, number>;
}

export interface Recorder {
  readonly record: SandboxRecord;
  notification(kind: NotificationKind, data: unknown): void;
  step(name: string): void;
  error(callback: string, error: unknown): void;
}

/** A copy, so a widget mutating its argument afterwards cannot rewrite history. */
function snapshot(data: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(data)) as unknown;
  } catch (error) {
    return { unserialisable: String(error) };
  }
}

export function createRecorder(): Recorder {
  const calls = Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, [] as unknown[]])) as Record<NotificationKind, unknown[]>;
  const record: SandboxRecord = {
    ready: false,
    calls,
    lifecycle: [],
    errors: [],
    pageChanged: 0,
    navigations: [],
    actions: {},
    widget: null,
    navigate: null,
    openSettings: null,
    bell: [],
    timeline: [],
    dialers: [],
    counts: () => Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, calls[kind].length])) as Record<NotificationKind, number>,
  };
  hostWindow().__sandbox = record;
  return {
    record,
    notification(kind, data) {
      calls[kind].push(snapshot(data));
      record.timeline.push({ kind, at: Date.now() });
    },
    step(name) {
      record.lifecycle.push(name);
    },
    error(callback, error) {
      const message = error instanceof Error ? error.stack ?? error.message : String(error);
      record.errors.push({ callback, message });
    },
  };
}
