/**
 * One tab's part in the browser-wide session of an account+user: the shell of the session
 * machine (session-machine.ts). It owns the channel, the election, the page listeners and the
 * pop-up ack timers, and performs the machine's effects in order. Without the browser APIs the
 * tab works alone.
 */
import type { TimerHandle } from '../core/clock';
import { createOnceLogger } from '../core/logger';
import { runQueued } from '../core/queued-machine';
import { readAttention } from './attention';
import { openTabChannel, type TabChannel } from './channel';
import type { Election, ElectionEvents } from './election';
import { deferredElection } from './deferred-election';
import { lockElection } from './lock-election';
import { parseTabMessage, type PayloadChecks, type TabMessage } from './protocol';
import { ownAttention } from './routing';
import { initialSession, stepSession, wasNotified, type SessionEffect, type SessionInput } from './session-machine';
import { modeOf, roleOf } from './leadership';
import { defaultTabTiming, leaseStorageKey, lockName, PROTOCOL_VERSION } from './timing';
import type { LeadContext, LeadHandle, TabSession, TabSessionDeps } from './types';

const asIs = (raw: unknown) => raw;

export function createTabSession<P = unknown, S = unknown>(deps: TabSessionDeps<P, S>): TabSession {
  const { key, tabId, clock, logger, page } = deps;
  const checks = { popup: deps.parsePopup ?? asIs, state: deps.parseState ?? asIs } as PayloadChecks<P, S>;
  const warnOnce = createOnceLogger(logger);
  const ackTimers = new Map<string, TimerHandle>();
  const unsubscribers: Array<() => void> = [];
  let lead: { term: number; handle: LeadHandle | null } | null = null;

  let channel: TabChannel | null = openTabChannel(deps);
  const events: ElectionEvents = {
    onElected: () => dispatch({ type: 'elected' }),
    onDeposed: () => dispatch({ type: 'deposed', leadIds: leadIds() }),
    onFailed: () => dispatch({ type: 'failed', leadIds: leadIds() }),
  };
  let election: Election | null = null;
  if (channel && deps.locks) {
    election = lockElection({ ...events, locks: deps.locks, name: lockName(key), logger, AbortController: deps.AbortController });
  } else if (channel && deps.storage && deps.leaseElection) {
    // The lease's code is lease.js, fetched only here (no Web Locks): deferred-election.ts.
    const leaseDeps = { ...events, storage: deps.storage, storageKey: leaseStorageKey(key), tabId, clock, logger, timing: defaultTabTiming };
    election = deferredElection('lease', deps.leaseElection, leaseDeps, logger);
  }

  const machine = runQueued(initialSession<P, S>(tabId, election?.kind ?? 'alone', readAttention(page, { kind: 'hidden' }, clock.now())), stepSession<P, S>, perform);
  function dispatch(input: SessionInput<P, S>) {
    machine.dispatch(input);
  }

  /** Calls into the app: one that throws is logged and does not stop the session. */
  function guard(what: string, fn: () => void, context: Record<string, unknown> = {}) {
    try {
      fn();
    } catch (error) {
      logger.error(`tabs: ${what} threw`, { ...context, error: String(error) });
    }
  }

  /** The ending lead handle's notified ids, asked before the step that ends its term. */
  function leadIds(): string[] {
    let ids: unknown;
    guard('notifiedIds()', () => void (ids = lead?.handle?.notifiedIds?.()));
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string' && id.length > 0) : [];
  }

  function context(term: number, notifiedIds: string[]): LeadContext<P, S> {
    return {
      showPopup: (popup, callId) => dispatch({ type: 'show', term, popup, callId }),
      publish: (shared) => dispatch({ type: 'publish', term, state: shared }),
      notifiedIds,
      wasNotified: (callId) => wasNotified(machine.state, callId),
      markNotified: (callId) => dispatch({ type: 'mark-notified', callId }),
    };
  }

  function closeChannel() {
    while (unsubscribers.length > 0) unsubscribers.pop()?.();
    channel?.close();
    channel = null;
  }

  function perform(effect: SessionEffect<P, S>) {
    switch (effect.kind) {
      case 'post':
        return channel?.post({ v: PROTOCOL_VERSION, key, from: tabId, ...effect.body } as TabMessage<P, S>);
      case 'display':
        return guard('display', () => deps.display(effect.popup), { callId: effect.callId });
      case 'deliver':
        return guard('onState', () => deps.onState?.(effect.state));
      case 'role':
        logger.info('tabs: role', { tabId, ...effect.role });
        return guard('onRole', () => deps.onRole?.(effect.role));
      case 'lead': {
        const current = { term: effect.term, handle: null as LeadHandle | null };
        lead = current;
        return guard('lead()', () => void (current.handle = deps.lead(context(effect.term, effect.notifiedIds))));
      }
      case 'end-lead': {
        const ending = lead;
        lead = null;
        return guard('stopping the leader', () => ending?.handle?.stop());
      }
      case 'ack-timer':
        ackTimers.set(effect.callId, clock.setTimeout(() => {
          ackTimers.delete(effect.callId);
          dispatch({ type: 'ack-timeout', callId: effect.callId });
        }, effect.ms));
        return;
      case 'cancel-ack-timer': {
        const timer = ackTimers.get(effect.callId);
        if (timer !== undefined) clock.clearTimeout(timer);
        ackTimers.delete(effect.callId);
        return;
      }
      case 'start-election':
        return election?.start();
      case 'nudge':
        return election?.nudge();
      case 'isolate':
        election = null;
        return closeChannel();
      case 'release':
        election?.stop();
        election = null;
        return closeChannel();
      case 'log':
        return logger[effect.level](effect.message, effect.context);
    }
  }

  function onMessage(raw: unknown) {
    const parsed = parseTabMessage(raw, key, checks);
    if (parsed.ok) dispatch({ type: 'message', message: parsed.message });
    else warnOnce(`tabs:${parsed.reason}`, 'tabs: ignored a message from another tab', { reason: parsed.reason });
  }

  function stop() {
    if (machine.state.leadership.phase === 'stopped') return;
    dispatch({ type: 'stop', leadIds: leadIds() });
    while (pageUnsubscribers.length > 0) pageUnsubscribers.pop()?.();
  }

  const pageUnsubscribers = [
    page.onAttention(() => dispatch({ type: 'look', attention: readAttention(page, ownAttention(machine.state.routing), clock.now()) })),
    page.onUnload(stop),
  ];

  if (!election) {
    closeChannel();
  } else {
    if (channel) unsubscribers.push(channel.onMessage(onMessage));
    if (deps.onStorage && election.kind === 'lease') {
      const leaseKey = leaseStorageKey(key);
      // The leader removed its lease (it left): claim now rather than at the next check.
      unsubscribers.push(deps.onStorage((event) => event.key === leaseKey && event.newValue === null && election?.nudge()));
    }
  }
  dispatch({ type: 'start' });

  return {
    get role() {
      return roleOf(machine.state.leadership);
    },
    get mode() {
      return modeOf(machine.state.leadership);
    },
    stop,
  };
}
