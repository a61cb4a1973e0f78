/**
 * Parts of the widget that are not in script.js: second AMD modules beside it (settings.js,
 * poll.js, lease.js, leader.js), loaded with the host's RequireJS only where they are used, so every page load
 * downloads less. Kommo serves the widget's files under `this.params.path`
 * (https://developers.kommo.com/docs/script-js#params). A part imports nothing from script.js
 * at run time: what it shares, script.js hands it with each call (so nothing is bundled twice).
 */

/** The slice of the page's RequireJS used (https://requirejs.org/docs/api.html#errbacks). */
interface RequireJs {
  (deps: string[], loaded: (module: unknown) => void, failed: (error: unknown) => void): void;
  undef?(id: string): void;
}

/** The file names; the validator and the build find them quoted as `/<name>.js` in script.js. */
export const WIDGET_PARTS = { settings: '/settings.js', poll: '/poll.js', lease: '/lease.js', leader: '/leader.js' } as const;

/**
 * Parts already loaded, by URL. RequireJS answers a second require of a loaded module through
 * its own timer (a 4 ms clamp at best, and 1 s or more in a throttled background tab): the new
 * leader of a takeover, whose tab prefetched leader.js, gets it in a microtask instead.
 */
const loadedParts = new Map<string, unknown>();

/** Loads `<widgetPath>/<part>` once it is asked for: `loaded` with its exports, or `failed` (never throws); always after the call returns. */
export function loadWidgetPart<M>(part: keyof typeof WIDGET_PARTS, widgetPath: string | undefined, loaded: (module: M) => void, failed: (error: unknown) => void): void {
  const requirejs = (window as unknown as { requirejs?: RequireJs }).requirejs;
  if (!requirejs || !widgetPath) {
    failed(!requirejs ? 'no RequireJS on the page' : 'no params.path');
    return;
  }
  const url = `${widgetPath.replace(/\/+$/, '')}${WIDGET_PARTS[part]}`;
  if (loadedParts.has(url)) {
    const module = loadedParts.get(url);
    queueMicrotask(() => {
      try {
        loaded(module as M);
      } catch (error) {
        failed(error);
      }
    });
    return;
  }
  try {
    requirejs(
      [url],
      (module) => {
        loadedParts.set(url, module);
        loaded(module as M);
      },
      (error) => {
        // Forget the failure so that the next try fetches the file again.
        requirejs.undef?.(url);
        failed(error);
      },
    );
  } catch (error) {
    failed(error);
  }
}
