/**
 * The widget's life on one page load. Kommo calls `init` once per page load (`init_once`),
 * `destroy` on every move between areas as well as when the widget is switched off, and
 * `onSave({active: 'N'})` just before a switch-off `destroy`
 * (https://developers.kommo.com/docs/script-js#callbacks). So: the machinery starts once,
 * survives area changes, and is torn down only after a switch-off, which also forgets the
 * remembered callers (src/lookup/caller-keys.ts) of every user.
 */
import type { Telephony, TelephonyStatus } from '../app/telephony';
import type { Logger } from '../core/logger';
import type { WidgetSettings } from '../settings/types';
import type { Host } from './host';
import type { RawSettings } from './kommo';
import { startTelephony } from '../app/telephony';
import { systemClock } from './system-clock';
import { notifyStringsFrom } from '../notify';
import { describeProblems, parseSettings } from '../settings';
import { fillTemplate } from '../core/template';
import { browserPage, scriptLoader } from './page';
import { browserTabEnvironment } from './tab-environment';
import type { StartLeader } from '../app/leader';
import type { DesktopNotifications } from '../notify/desktop-types';
import { leaseShared } from '../tabs';
import type { Election, LeaseElectionDeps, leaseElectionWith, PartLoader } from '../tabs';
import { loadWidgetPart } from './widget-part';
import { browserDesktopNotifications, listenForDesktopOffers } from './desktop-notifications';
import { prefetchWhenIdle } from './idle-prefetch';
import { callersKey, forgetCallers } from '../lookup/caller-keys';
import { browserCallerStorage } from './caller-storage';
import { browserStageMarks } from './stage-marks';

export type LifecycleState =
  | { status: 'idle' }
  | { status: 'running'; telephony: Telephony; settings: WidgetSettings }
  /** Settings unusable: nothing runs until they are saved right. */
  | { status: 'misconfigured' }
  /** Switched off (onSave with active 'N'). */
  | { status: 'off' };

export interface Lifecycle {
  readonly state: LifecycleState;
  init(host: Host): void;
  /** Returns false to refuse the save (Kommo keeps the modal open). */
  save(host: Host, data: { active?: 'Y' | 'N'; fields?: RawSettings }): boolean;
  destroy(): void;
  telephonyStatus(): TelephonyStatus | null;
}

export function createLifecycle(win: Window & typeof globalThis, logger: Logger): Lifecycle {
  let state: LifecycleState = { status: 'idle' };
  const tabId = Math.random().toString(36).slice(2) + Date.now().toString(36);

  const parse = (host: Host, raw: RawSettings) =>
    parseSettings(raw, { pageProtocol: win.location.protocol, userId: host.user()?.id ?? null });

  const start = (host: Host, settings: WidgetSettings): Telephony | null => {
    const user = host.user();
    if (!user) {
      logger.warn('no current Kommo user: the call feed stays off');
      return null;
    }
    // This user's remembered callers; another user's (the browser changed hands) are forgotten.
    const callerStorage = browserCallerStorage(win);
    const callers = callerStorage && { storage: callerStorage, key: callersKey(host.account(), user.id) };
    forgetCallers(callerStorage, logger, callers?.key);
    const lookupStrings = host.strings('lookup');
    const unnamedTemplate = (key: string, fallback: string) =>
      typeof lookupStrings[key] === 'string' ? (lookupStrings[key] as string) : fallback;
    return startTelephony({
      settings,
      user,
      callers,
      account: host.account(),
      locale: host.locale(),
      strings: {
        notify: notifyStringsFrom(host.strings('notify')),
        unnamed: (type, id) =>
          fillTemplate(unnamedTemplate(`${type}_unnamed`, type === 'lead' ? 'Lead #{{id}}' : 'Customer #{{id}}'), { id }),
        desktop: host.strings('desktop'),
      },
      sink: host.sink,
      desktop: desktopFor(host),
      page: browserPage(win),
      clock: systemClock,
      logger,
      marks: browserStageMarks(win),
      fetch: (input, init) => win.fetch(input, init),
      WebSocket: win.WebSocket,
      loadScript: scriptLoader(win.document),
      leaderPart: (loaded, failed) => loadWidgetPart<{ startLeader: StartLeader }>('leader', host.widgetPath?.(), (part) => loaded(part.startLeader), failed),
      ticketPost: host.ticketPost,
      pollPart: (loaded, failed) => loadWidgetPart('poll', host.widgetPath?.(), loaded, failed),
      scriptCallbacks: win as unknown as Record<string, unknown>,
      tabs: { tabId, ...browserTabEnvironment(win), leaseElection: leaseElectionFrom(host.widgetPath?.()) },
    });
  };

  // Desktop notifications: one shell per page; the listener of the pop-up's offer only while calls run.
  let desktop: DesktopNotifications | null = null;
  let offDesktopOffers: (() => void) | null = null;
  const desktopFor = (host: Host): DesktopNotifications => {
    const path = host.widgetPath?.();
    desktop ??= browserDesktopNotifications(win, path ? `${path.replace(/\/+$/, '')}/images/logo_min.png` : undefined);
    offDesktopOffers ??= listenForDesktopOffers(win.document, desktop);
    return desktop;
  };

  // The tab session ends on pagehide; a page restored from the back/forward cache starts anew.
  let restart: (() => void) | null = null;
  const onPageShow = (event: PageTransitionEvent) => {
    if (event.persisted && state.status === 'running') restart?.();
  };

  let cancelPrefetch: (() => void) | null = null;
  const launch = (host: Host, settings: WidgetSettings) => {
    const telephony = start(host, settings);
    state = telephony ? { status: 'running', telephony, settings } : { status: 'idle' };
    if (!telephony) return;
    // A follower's takeover and first click-to-call then find leader.js loaded (idle-prefetch.ts).
    cancelPrefetch ??= prefetchWhenIdle(win, () =>
      loadWidgetPart('leader', host.widgetPath?.(), () => undefined, (error) => logger.debug('leader.js prefetch failed; it is fetched when needed', { error })),
    );
    if (!restart) win.addEventListener('pageshow', onPageShow);
    restart = () => {
      stop();
      launch(host, settings);
    };
  };

  const run = (host: Host, raw: RawSettings) => {
    const parsed = parse(host, raw);
    if (!parsed.settings) {
      logger.warn('settings are not usable; open the widget settings to see why', { problems: parsed.problems });
      state = { status: 'misconfigured' };
      return;
    }
    launch(host, parsed.settings);
  };

  const stop = () => {
    cancelPrefetch?.();
    cancelPrefetch = null;
    if (state.status === 'running') state.telephony.stop();
    offDesktopOffers?.();
    offDesktopOffers = null;
    if (restart) win.removeEventListener('pageshow', onPageShow);
    restart = null;
  };

  return {
    get state() {
      return state;
    },
    init(host) {
      // init_once makes Kommo call this once per page load; guard anyway so nothing starts twice.
      if (state.status !== 'idle' && state.status !== 'off') return;
      run(host, host.rawSettings());
    },
    save(host, data) {
      if (data.active === 'N') {
        // Switched off: Kommo follows with destroy; close everything now so nothing outlives it.
        stop();
        forgetCallers(browserCallerStorage(win), logger);
        state = { status: 'off' };
        return true;
      }
      const raw = { ...host.rawSettings(), ...(data.fields ?? {}) };
      const parsed = parse(host, raw);
      if (!parsed.settings) {
        const message = describeProblems(parsed.problems, host.strings('settings'));
        // Inert text, as every show_message (rules of issue 17): escaped HTML read as `&quot;` in a host that shows text.
        host.showError(message.header, message.inert);
        return false;
      }
      // New settings (a fixed token after a 4401, another URL): start over with them.
      stop();
      state = { status: 'idle' };
      launch(host, parsed.settings);
      return true;
    },
    destroy() {
      // Kommo calls destroy on every area change too; only a switch-off (onSave 'N', handled
      // above) stops the machinery, so an area change keeps the connection and the calls.
    },
    telephonyStatus: () => (state.status === 'running' ? state.telephony.status() : null),
  };
}

/** The localStorage lease's code is lease.js, fetched only by tabs without Web Locks (src/tabs/deferred-election.ts). */
function leaseElectionFrom(widgetPath: string | undefined): PartLoader<(deps: LeaseElectionDeps) => Election> {
  return (loaded, failed) =>
    loadWidgetPart<{ leaseElectionWith: typeof leaseElectionWith }>(
      'lease',
      widgetPath,
      (part) => loaded((deps) => part.leaseElectionWith(leaseShared, deps)),
      failed,
    );
}
