/**
 * The CallNotifier's shell: it owns the timers, asks the lookup, posts the call event and hands
 * the texts to the sink, as the notifier's state machine (notifier-machine.ts) decides. Nothing
 * escapes into the page: timer and promise callbacks run outside `handle`, so each is guarded.
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { CallChange, CallEvent } from '../feed/types';
import type { CallerLookup, LookupResult } from '../lookup/types';
import type { NotificationSink } from './types';
import type { NotifyStrings } from './strings';
import type { NotifyEffect } from './effects';
import type { NotifierConfig, NotifierInput } from './notifier-machine';
import { initialNotifierState, pruneNotifier, stepNotifier } from './notifier-machine';
import { createKeyedTimers } from './keyed-timers';
import { NOTIFY_LIMITS, NOTIFY_TIMING } from './timing';
import { buildPopup } from './popup';
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

  /** Steps the machine and performs what it decided; `what` names the caller in the log. */
  function feed(what: string, input: NotifierInput): void {
    try {
      const step = stepNotifier(state, input, config);
      state = step.state;
      for (const effect of step.effects) perform(effect);
    } catch (error) {
      logger.error(`notify: ${what} failed`, { error });
    }
  }

  function perform(effect: NotifyEffect): void {
    switch (effect.kind) {
      case 'look-up':
        return lookUp(effect.callId, effect.seq, effect.phone);
      case 'set-timer': {
        const { timer, callId } = effect;
        const what = timer === 'popup' ? 'pop-up' : 'completed call';
        return timers.set(`${timer}:${callId}`, effect.ms, () => feed(what, { kind: 'timer', timer, callId, now: clock.now() }));
      }
      case 'clear-timer':
        return timers.clear(`${effect.timer}:${effect.callId}`);
      case 'show-popup':
        try {
          sink.showPopup(buildPopup(effect.event, effect.result, deps.strings));
        } catch (error) {
          logger.error('notify: showing the pop-up failed', { callId: effect.event.callId, error });
        }
        return;
      case 'post-event': {
        const { event, result } = effect;
        let sent: Promise<void>;
        try {
          // The machine posts only when `canPost`; the fallback keeps a slip from going silent.
          sent = postEvent ? Promise.resolve(postEvent(effect.body)) : Promise.reject(new Error('no way to post the call event'));
        } catch (error) {
          sent = Promise.reject(error);
        }
        sent.then(undefined, (error: unknown) => feed('call event', { kind: 'post-failed', event, result, error }));
        return;
      }
      case 'file-call':
        return fileCall(effect.event, effect.result);
      case 'warn':
        return logger.warn(effect.message, effect.data);
    }
  }

  function lookUp(callId: string, seq: number, phone: string): void {
    let pending: Promise<LookupResult>;
    try {
      pending = Promise.resolve(deps.lookup.findByNumber(phone));
    } catch (error) {
      pending = Promise.reject(error);
    }
    const answered = (result: LookupResult | null) => feed('lookup answer', { kind: 'lookup-answered', callId, seq, result, now: clock.now() });
    pending.then(answered, (error: unknown) => {
      // findByNumber answers `failed` rather than rejecting; a rejection is a bug, not a caller.
      logger.warn('notify: lookup rejected', { callId, error });
      answered(null);
    });
  }

  function fileCall(event: CallEvent, result: LookupResult | null): void {
    const manager: { name?: string; extension: string } = { extension: event.extension || deps.manager.extension };
    if (deps.manager.name !== undefined) manager.name = deps.manager.name;
    try {
      sink.addCall(buildCompletedCall(event, result, manager, deps.strings, deps.locale));
    } catch (error) {
      logger.error('notify: filing the completed call failed', { callId: event.callId, error });
    }
  }

  return {
    handle(change) {
      feed('handling a call change', { kind: 'change', change, now: clock.now() });
    },
    notifiedIds() {
      state = pruneNotifier(state, clock.now(), config);
      return [...state.memory.keys()];
    },
    remember(ids) {
      feed('remembering handed-over ids', { kind: 'remember', ids, now: clock.now() });
    },
    dispose() {
      feed('dispose', { kind: 'dispose' });
      // The machine cleared its timers; this makes sure nothing outlives the notifier.
      timers.clearAll();
    },
  };
}
