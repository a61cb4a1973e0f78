/**
 * The CallNotifier: turns the feed's call changes into at most one pop-up and one completed
 * notification per `call_id`, whatever the feed repeats (snapshots after a reconnect, poll
 * answers that keep ended calls for 60 s, a new leader tab replaying the same calls).
 *
 * Per call: the lookup starts when the call is first seen and is reused at `ended`. The
 * pop-up is decided at the first `ringing` and waits for the lookup at most `lookupBudgetMs`
 * (then shows the number alone). A call first seen `answered` or `ended` gets no pop-up.
 */
import type { Clock, TimerHandle } from '../core/clock';
import type { Logger } from '../core/logger';
import type { CallChange, CallEvent } from '../feed/types';
import type { CallerLookup, LookupResult } from '../lookup/types';
import type { NotificationSink } from './types';
import type { NotifyStrings } from './strings';
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
  /** The pop-up never waits longer than this for the lookup (ms). */
  lookupBudgetMs?: number;
  /** The completed notification waits this long for a lookup still running (ms). */
  completedBudgetMs?: number;
  /** How long finished call ids are remembered (ms): longer than any replay window. */
  rememberMs?: number;
  /** Bounds on memory: calls tracked at once, finished ids remembered. */
  maxActive?: number;
  maxRemembered?: number;
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

type LookupState = { state: 'pending' } | { state: 'done'; result: LookupResult | null };

type PopupState =
  | { state: 'none' }
  /** Waiting for the lookup, at most the budget; `event` is the ringing event it will show. */
  | { state: 'waiting'; timer: TimerHandle; event: CallEvent }
  | { state: 'posting' }
  | { state: 'shown' }
  /** First seen past ringing, cancelled by `ended`, or shown by a previous leader. */
  | { state: 'skipped' };

type CompletedState = { state: 'none' } | { state: 'waiting'; timer: TimerHandle; call: CallEvent } | { state: 'sent' };

interface TrackedCall {
  callId: string;
  lookup: LookupState;
  popup: PopupState;
  completed: CompletedState;
}

/** Remembered ids: finished here (`local`), or handed over by a previous leader (`handover`). */
type Remembered = { until: number; source: 'local' | 'handover' };

const DEFAULTS = { lookupBudgetMs: 1500, completedBudgetMs: 10_000, rememberMs: 10 * 60_000, maxActive: 200, maxRemembered: 1000 };

export function createCallNotifier(deps: CallNotifierDeps): CallNotifier {
  const { clock, logger, sink } = deps;
  const lookupBudgetMs = deps.lookupBudgetMs ?? DEFAULTS.lookupBudgetMs;
  const completedBudgetMs = deps.completedBudgetMs ?? DEFAULTS.completedBudgetMs;
  const rememberMs = deps.rememberMs ?? DEFAULTS.rememberMs;
  const maxActive = deps.maxActive ?? DEFAULTS.maxActive;
  const maxRemembered = deps.maxRemembered ?? DEFAULTS.maxRemembered;

  const active = new Map<string, TrackedCall>();
  const remembered = new Map<string, Remembered>();
  let disposed = false;

  function prune(): void {
    const now = clock.now();
    for (const [id, r] of remembered) if (r.until <= now) remembered.delete(id);
    // Map keeps insertion order: the oldest go first.
    for (const id of remembered.keys()) {
      if (remembered.size <= maxRemembered) break;
      remembered.delete(id);
    }
  }

  /** Timer and promise callbacks run outside `handle`'s try: nothing may escape into the page. */
  function guarded(what: string, fn: () => void): () => void {
    return () => {
      try {
        fn();
      } catch (error) {
        logger.error(`notify: ${what} failed`, { error });
      }
    };
  }

  function rememberId(id: string, source: Remembered['source']): void {
    remembered.delete(id);
    remembered.set(id, { until: clock.now() + rememberMs, source });
  }

  /** Stops whatever the call still waits for, so a late lookup answer shows nothing. */
  function settle(call: TrackedCall): void {
    if (call.popup.state === 'waiting') {
      clock.clearTimeout(call.popup.timer);
      call.popup = { state: 'skipped' };
    }
    if (call.completed.state === 'waiting') {
      clock.clearTimeout(call.completed.timer);
      call.completed = { state: 'sent' };
    }
  }

  /** Done with a call: stop tracking it, remember its id so replays change nothing. */
  function finish(call: TrackedCall): void {
    settle(call);
    active.delete(call.callId);
    rememberId(call.callId, 'local');
  }

  function startLookup(call: TrackedCall, phone: string): void {
    let pending: Promise<LookupResult>;
    try {
      pending = Promise.resolve(deps.lookup.findByNumber(phone));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (result) => guarded('lookup answer', () => lookupDone(call, result))(),
      (error: unknown) => {
        // findByNumber answers `failed` rather than rejecting; a rejection is a bug, not a caller.
        logger.warn('notify: lookup rejected', { callId: call.callId, error });
        guarded('lookup answer', () => lookupDone(call, null))();
      },
    );
  }

  function lookupDone(call: TrackedCall, result: LookupResult | null): void {
    call.lookup = { state: 'done', result };
    if (disposed) return;
    if (call.popup.state === 'waiting') decidePopup(call);
    if (call.completed.state === 'waiting') sendCompleted(call, call.completed.call);
  }

  function currentResult(call: TrackedCall): LookupResult | null {
    return call.lookup.state === 'done' ? call.lookup.result : null;
  }

  function track(event: CallEvent): TrackedCall {
    const call: TrackedCall = { callId: event.callId, lookup: { state: 'pending' }, popup: { state: 'none' }, completed: { state: 'none' } };
    active.set(call.callId, call);
    for (const old of active.values()) {
      if (active.size <= maxActive) break;
      // A call never ended nor vanished (a feed bug): drop the oldest rather than grow forever.
      logger.warn('notify: too many calls at once, forgetting the oldest', { callId: old.callId });
      finish(old);
    }
    startLookup(call, event.phone);
    return call;
  }

  function showPopup(call: TrackedCall, event: CallEvent): void {
    try {
      sink.showPopup(buildPopup(event, currentResult(call), deps.strings, deps.locale));
    } catch (error) {
      logger.error('notify: showing the pop-up failed', { callId: call.callId, error });
    }
  }

  /** The lookup answered or the budget ran out, whichever came first. */
  function decidePopup(call: TrackedCall): void {
    if (call.popup.state !== 'waiting') return;
    clock.clearTimeout(call.popup.timer);
    const { event } = call.popup;
    const result = currentResult(call);
    // Internal and non-numbers: Kommo cannot match them, so the widget's own pop-up says it.
    const viaEvents = deps.mode === 'events' && result?.kind !== 'internal' && result?.kind !== 'invalid';
    if (!viaEvents) {
      call.popup = { state: 'shown' };
      showPopup(call, event);
      return;
    }
    if (!deps.postEvent) {
      logger.warn('notify: events mode without a way to post; showing the pop-up instead');
      call.popup = { state: 'shown' };
      showPopup(call, event);
      return;
    }
    call.popup = { state: 'posting' };
    postCallEvent(call, event, result, deps.postEvent);
  }

  function postCallEvent(call: TrackedCall, event: CallEvent, result: LookupResult | null, post: (body: unknown) => Promise<void>): void {
    const phoneNumber = result && 'number' in result ? result.number.e164 : String(event.phone ?? '').trim();
    const userId = /^\d+$/.test(deps.manager.id) ? Number(deps.manager.id) : deps.manager.id;
    // https://developers.kommo.com/docs/call-notification ("Add call event")
    const body = { add: [{ type: 'phone_call', phone_number: phoneNumber, users: [userId] }] };
    let sent: Promise<void>;
    try {
      sent = Promise.resolve(post(body));
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      () => {
        if (call.popup.state === 'posting') call.popup = { state: 'shown' };
      },
      (error: unknown) => {
        if (disposed || call.popup.state !== 'posting') return;
        logger.warn('notify: posting the call event failed; showing the pop-up instead', { callId: call.callId, error });
        call.popup = { state: 'shown' };
        showPopup(call, event);
      },
    );
    // (showPopup catches its own errors, so neither branch can reject.)
  }

  function sendCompleted(call: TrackedCall, event: CallEvent): void {
    if (call.completed.state === 'waiting') clock.clearTimeout(call.completed.timer);
    call.completed = { state: 'sent' };
    const manager: { name?: string; extension: string } = { extension: event.extension || deps.manager.extension };
    if (deps.manager.name !== undefined) manager.name = deps.manager.name;
    try {
      sink.addCall(buildCompletedCall(event, currentResult(call), manager, deps.strings, deps.locale));
    } catch (error) {
      logger.error('notify: filing the completed call failed', { callId: call.callId, error });
    }
    finish(call);
  }

  function onRinging(event: CallEvent): void {
    const call = track(event);
    // The lookup answers asynchronously at the earliest, so the pop-up always starts waiting.
    call.popup = { state: 'waiting', event, timer: clock.setTimeout(guarded('pop-up', () => decidePopup(call)), lookupBudgetMs) };
  }

  function onEnded(call: TrackedCall, event: CallEvent): void {
    if (call.completed.state !== 'none') return;
    // Rang and hung up before the pop-up was due: a missed-call notice, not a late "incoming call".
    if (call.popup.state === 'waiting') {
      clock.clearTimeout(call.popup.timer);
      call.popup = { state: 'skipped' };
    }
    if (call.lookup.state === 'done') {
      sendCompleted(call, event);
      return;
    }
    call.completed = { state: 'waiting', call: event, timer: clock.setTimeout(guarded('completed call', () => sendCompleted(call, event)), completedBudgetMs) };
  }

  function handleChange(change: CallChange): void {
    const event = change.call;
    const id = event?.callId;
    if (typeof id !== 'string' || id === '') {
      logger.warn('notify: change without a call id dropped');
      return;
    }
    prune();
    const tracked = active.get(id);
    if (change.kind === 'vanished') {
      // Over without an `ended`: nothing more to say about it.
      if (tracked && tracked.completed.state !== 'waiting') finish(tracked);
      return;
    }
    if (tracked) {
      if (event.state === 'ended') onEnded(tracked, event);
      return;
    }
    const memory = remembered.get(id);
    if (memory?.source === 'local') return;
    if (memory?.source === 'handover') {
      // The previous leader showed its pop-up; still active here, so this notifier files the end.
      if (event.state === 'ended') return;
      remembered.delete(id);
      const call = track(event);
      call.popup = { state: 'skipped' };
      return;
    }
    if (event.state === 'ringing') onRinging(event);
    else {
      const call = track(event);
      call.popup = { state: 'skipped' };
      if (event.state === 'ended') onEnded(call, event);
    }
  }

  return {
    handle(change) {
      if (disposed) return;
      try {
        handleChange(change);
      } catch (error) {
        logger.error('notify: handling a call change failed', { error });
      }
    },
    notifiedIds() {
      prune();
      return [...remembered.keys()];
    },
    remember(ids) {
      if (disposed || !Array.isArray(ids)) return;
      for (const id of ids) {
        if (typeof id !== 'string' || id === '') continue;
        const tracked = active.get(id);
        if (tracked) {
          if (tracked.popup.state === 'waiting') {
            clock.clearTimeout(tracked.popup.timer);
            tracked.popup = { state: 'skipped' };
          }
          continue;
        }
        if (remembered.get(id)?.source !== 'local') rememberId(id, 'handover');
      }
      prune();
    },
    dispose() {
      disposed = true;
      for (const call of active.values()) settle(call);
      active.clear();
    },
  };
}
