/**
 * The globals a Kommo page has besides `APP` (typed in src/platform/kommo.ts): RequireJS, the
 * jQuery and underscore the host shares with widgets, and the double's own `window.__sandbox`.
 * The one place the double casts `window`.
 */
import type { KommoApp } from '../../../src/platform/kommo';
import type { KommoDouble } from './index';
import type { SandboxRecord } from './recorder';

/** The part of RequireJS the double uses (https://requirejs.org/docs/api.html). */
export interface RequireJs {
  (deps: string[], ok: (...modules: unknown[]) => void, fail?: (error: unknown) => void): void;
  config(options: { paths?: Record<string, string>; urlArgs?: string; waitSeconds?: number }): void;
}

export interface HostWindow extends Window {
  APP?: KommoApp;
  /** Kommo's older name for APP; some widgets still read it. */
  AMOCRM?: KommoApp;
  requirejs?: RequireJs;
  require?: RequireJs;
  $?: JQueryStatic;
  jQuery?: JQueryStatic;
  _?: unknown;
  __sandbox?: SandboxRecord;
  KommoDouble?: KommoDouble;
}

export function hostWindow(): HostWindow {
  return window as unknown as HostWindow;
}
