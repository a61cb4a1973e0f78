/**
 * Loads the widget as Kommo does: its manifest and locale file next to script.js, then
 * RequireJS with the host's jQuery and underscore and script.js as an AMD module.
 * https://developers.kommo.com/docs/script-js  https://developers.kommo.com/docs/manifest-json
 */
import { fetchJson } from './fetch-json';
import type { WidgetConstructor } from './instance';
import { hostWindow } from './page-globals';
import type { RequireJs } from './page-globals';

export interface ManifestField {
  name?: string;
  type?: string;
  required?: boolean;
}

export interface Manifest {
  widget?: { version?: string; init_once?: boolean };
  settings?: Record<string, ManifestField>;
}

export interface WidgetFiles {
  manifest: Manifest | null;
  /** i18n/<lang>.json: `this.i18n(section)` answers its sections. */
  langData: Record<string, unknown>;
}

export interface LoadedScript {
  $: JQueryStatic;
  Widget: WidgetConstructor;
}

export async function fetchWidgetFiles(path: string, lang: string): Promise<WidgetFiles> {
  const [manifest, langData] = await Promise.all([
    fetchJson<Manifest>(`${path}/manifest.json`).catch(() => null),
    fetchJson<Record<string, unknown>>(`${path}/i18n/${lang}.json`).catch(() => ({})),
  ]);
  return { manifest, langData };
}

/** Which step of the load failed, as `__sandbox.errors` names it. */
export class WidgetLoadError extends Error {
  constructor(
    readonly step: 'require' | 'define',
    message: string,
  ) {
    super(message);
  }
}

function requireOnce(requirejs: RequireJs, deps: string[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => requirejs(deps, (...modules) => resolve(modules), (error) => reject(new WidgetLoadError('require', String(error)))));
}

/** Rejects when RequireJS cannot load a module or script.js does not define a constructor. */
export async function loadWidgetScript(path: string): Promise<LoadedScript> {
  const page = hostWindow();
  const requirejs = page.requirejs;
  if (!requirejs) throw new WidgetLoadError('require', 'RequireJS is not on the page (/vendor/require.js)');
  requirejs.config({
    paths: { jquery: '/vendor/jquery', underscore: '/vendor/underscore', widget: `${path}/script` },
    // A fresh script.js on every load, as after an upload.
    urlArgs: `v=${Date.now()}`,
    waitSeconds: 20,
  });
  const [$, _] = (await requireOnce(requirejs, ['jquery', 'underscore'])) as [JQueryStatic, unknown];
  page.$ = page.jQuery = $;
  page._ = _;
  const [Widget] = await requireOnce(requirejs, ['widget']);
  if (typeof Widget !== 'function') throw new WidgetLoadError('define', 'script.js did not return a constructor');
  return { $, Widget: Widget as WidgetConstructor };
}
