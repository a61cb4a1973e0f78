/**
 * The CallNotifier's shell: it owns the timers, asks the lookup, posts the call event and hands
 * the texts to the sink, as the notifier's state machine (notifier-machine.ts) decides. Nothing
 * escapes into the page: timer and promise callbacks run outside `handle`, so each is guarded.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { CallChange } from '../feed/types';
import type { CallerLookup, LookupResult } from '../lookup/types';
import type { NotificationSink } from './types';
import type { NotifyStrings } from './strings';
import type { NotifyEffect } from './effects';
import type { NotifierConfig, NotifierInput } from './notifier-machine';
import { initialNotifierState, pruneNotifier, stepNotifier } from './notifier-machine';
import { createKeyedTimers } from './keyed-timers';
import { NOTIFY_LIMITS, NOTIFY_TIMING } from './timing';
import { buildMissedPopup, buildPopup } from './popup';
import { buildCompletedCall } from './completed';

export interface CallNotifierDeps {
  lookup: CallerLookup;
  sink: NotificationSink;
  strings: NotifyStrings;
  locale: string;
  clock: Clock;
  logger: Logger;
  manager: { id: string; name?: string; extension: string };
  mode: 'widget' | 'events';
  /** Events mode: POST /api/v2/events with this body; rejects on any failure. */
  postEvent?: (body: unknown) => Promise<void>;
  /** The pop-up's budget (ms), `NOTIFY_TIMING.popupBudgetMs` unless a test lines it up with a lookup timeout. */
  lookupBudgetMs?: number;
}

export interface CallNotifier {
  /** Never throws. */
  handle(change: CallChange): void;
  /**
   * Call ids whose story is over here (completed notification filed, or vanished) and those
   * handed over by `remember`, for the next leader tab. Calls still in progress are not in
   * it: the next leader files their completed notification (the tab layer dedupes pop-ups).
   */
  notifiedIds(): string[];
  /**
   * Seeds ids from a previous leader: no pop-up for them, and no completed notification
   * unless this notifier sees the call still active before it ends (the old leader filed
   * the ones that ended on its watch; replays of those arrive here as `ended` first).
   */
  remember(ids: string[]): void;
  /** Clears every timer; late lookups and POST answers are ignored after it. */
  dispose(): void;
}

/** `fn`'s answer as a promise; a throw rejects it. */
const settled = <T>(fn: () => T | Promise<T>): Promise<T> => new Promise<T>((resolve) => resolve(fn()));

export function createCallNotifier(deps: CallNotifierDeps): CallNotifier {
  const { clock, logger, sink, postEvent } = deps;
  const config: NotifierConfig = {
    ...NOTIFY_TIMING,
    ...NOTIFY_LIMITS,
    popupBudgetMs: deps.lookupBudgetMs ?? NOTIFY_TIMING.popupBudgetMs,
    mode: deps.mode,
    canPost: postEvent !== undefined,
    userId: deps.manager.id,
  };
  const timers = createKeyedTimers(clock);
  let state = initialNotifierState;

  /** Inputs that arrived while effects were being performed (a cached lookup answer), in order. */
  const queued: [string, NotifierInput][] = [];
  let feeding = false;

  /** Steps the machine and performs what it decided; `what` names the caller in the log. */
  function feed(what: string, input: NotifierInput): void {
    queued.push([what, input]);
    if (feeding) return;
    feeding = true;
    try {
      // An input fed by an effect waits for the rest of its step's effects (the budget timer
      // is set before a cached answer clears it), yet is stepped in the same task.
      for (let next = queued.shift(); next !== undefined; next = queued.shift()) step(...next);
    } finally {
      feeding = false;
    }
  }

  function step(what: string, input: NotifierInput): void {
    try {
      const stepped = stepNotifier(state, input, config);
      state = stepped.state;
      for (const effect of stepped.effects) perform(effect);
    } catch (error) {
      logger.error(`notify: ${what} failed`, { error });
    }
  }

  /** A cached caller's answer, now (so its pop-up is built in the ringing frame's task); undefined: ask. */
  function peek(callId: string, phone: string): LookupResult | undefined {
    try {
      return deps.lookup.peek?.(phone);
    } catch (error) {
      logger.warn('notify: lookup peek threw', { callId, error });
      return undefined;
    }
  }

  /** The sink's call, logged (not thrown) when it fails. */
  function toSink(what: string, callId: string, show: () => void): void {
    try {
      show();
    } catch (error) {
      logger.error(`notify: ${what} failed`, { callId, error });
    }
  }

  function perform(effect: NotifyEffect): void {
    switch (effect.kind) {
      case 'look-up': {
        const { callId, seq } = effect;
        const answered = (result: LookupResult | null) => feed('lookup answer', { kind: 'lookup-answered', callId, seq, result, now: clock.now() });
        const cached = peek(callId, effect.phone);
        if (cached !== undefined) return answered(cached);
        // findByNumber answers `failed` rather than rejecting; a rejection (or a throw) is a bug, not a caller.
        return void settled(() => deps.lookup.findByNumber(effect.phone)).then(answered, (error: unknown) => {
          logger.warn('notify: lookup rejected', { callId, error });
          answered(null);
        });
      }
      case 'set-timer': {
        const { timer, callId } = effect;
        return timers.set(`${timer}:${callId}`, effect.ms, () => feed(timer, { kind: 'timer', timer, callId, now: clock.now() }));
      }
      case 'clear-timer':
        return timers.clear(`${effect.timer}:${effect.callId}`);
      case 'show-popup':
        return toSink('pop-up', effect.event.callId, () => sink.showPopup(buildPopup(effect.event, effect.result, deps.strings, effect.rejected === true)));
      case 'post-event': {
        const { event, result } = effect;
        // The machine posts only when `canPost`.
        return void settled(() => postEvent!(effect.body)).then(undefined, (error: unknown) => feed('call event', { kind: 'post-failed', event, result, error }));
      }
      case 'file-call': {
        const { event } = effect;
        const manager: { name?: string; extension: string } = { extension: event.extension || deps.manager.extension };
        if (deps.manager.name !== undefined) manager.name = deps.manager.name;
        return toSink('add_call', event.callId, () => sink.addCall(buildCompletedCall(event, effect.result, manager, deps.strings, deps.locale)));
      }
      case 'show-missed':
        return toSink('missed pop-up', effect.event.callId, () => sink.showPopup(buildMissedPopup(effect.event, effect.result, deps.strings)));
      case 'warn':
        return logger.warn(effect.message, effect.data);
    }
  }

  return {
    handle(change) {
      feed('change', { kind: 'change', change, now: clock.now() });
    },
    notifiedIds() {
      state = pruneNotifier(state, clock.now(), config);
      return [...state.memory.keys()];
    },
    remember(ids) {
      feed('handover', { kind: 'remember', ids, now: clock.now() });
    },
    dispose() {
      feed('dispose', { kind: 'dispose' });
      // The machine cleared its timers; this makes sure nothing outlives the notifier.
      timers.clearAll();
    },
  };
}
