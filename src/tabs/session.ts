/**
 * One tab's part in the browser-wide session of an account+user: elect a leader (Web Locks,
 * else a localStorage lease), run `lead()` only there, share its state and route its pop-ups
 * to the tab the user looks at. Without the browser APIs the tab works alone.
 */
import type { TimerHandle } from '../core/clock';
import { createOnceLogger } from '../core/logger';
import type { CallPopup } from '../notify/types';
import { pickPopupTab, readAttention, sameAttention } from './attention';
import { openTabChannel, type TabChannel } from './channel';
import type { Election, ElectionEvents } from './election';
import { CallIdSet } from './handover';
import { leaseElection } from './lease-election';
import { lockElection } from './lock-election';
import { parseTabMessage, type TabMessage, type TabMessageBody } from './protocol';
import { defaultTabTiming, leaseStorageKey, lockName, PROTOCOL_VERSION } from './timing';
import type { Attention, Handover, LeadContext, LeadHandle, SharedCallState, TabRole, TabSession, TabSessionDeps } from './types';

/** A term of leadership; its context goes dead when the term ends. */
interface Term {
  handle: LeadHandle | null;
  live: boolean;
  /** Pop-ups routed to another tab and not yet acknowledged, by call id. */
  pending: Map<string, TimerHandle>;
}

export function createTabSession(deps: TabSessionDeps): TabSession {
  const { key, tabId, clock, logger, page } = deps;
  const timing = { ...defaultTabTiming, ...deps.timing };
  const warnOnce = createOnceLogger(logger);

  let role: TabRole = { role: 'follower', leaderId: null };
  let attention: Attention = readAttention(page, { kind: 'hidden' }, clock.now());
  const tabs = new Map<string, Attention>([[tabId, attention]]);
  const popped = new CallIdSet();
  const notified = new CallIdSet();
  /** Pop-ups displayed in this tab: the leader's retry after a late ack must not show one twice. */
  const displayed = new CallIdSet();
  let lastState: SharedCallState | null = null;
  let term: Term | null = null;
  let stopped = false;
  const unsubscribers: Array<() => void> = [];

  let channel: TabChannel | null = openTabChannel(deps);
  const events: ElectionEvents = {
    onElected: () => beginTerm(),
    onDeposed: () => {
      endTerm();
      setRole({ role: 'follower', leaderId: null });
    },
    onFailed: () => goAlone('the election failed'),
  };
  let election: Election | null = null;
  let mode: TabSession['mode'] = 'alone';
  if (channel && deps.locks) {
    election = lockElection({ ...events, locks: deps.locks, name: lockName(key), logger, AbortController: deps.AbortController });
  } else if (channel && deps.storage) {
    election = leaseElection({ ...events, storage: deps.storage, storageKey: leaseStorageKey(key), tabId, clock, logger, timing });
  }
  if (election) mode = election.kind;

  function setRole(next: TabRole) {
    if (role.role === next.role && (role.role !== 'follower' || next.role !== 'follower' || role.leaderId === next.leaderId)) return;
    role = next;
    logger.info('tabs: role', { tabId, ...next });
    try {
      deps.onRole?.(next);
    } catch (error) {
      logger.error('tabs: onRole threw', { error: String(error) });
    }
  }

  function post(body: TabMessageBody) {
    channel?.post({ v: PROTOCOL_VERSION, key, from: tabId, ...body } as TabMessage);
  }

  const handover = (): Handover => ({ popped: popped.toArray(), notified: notified.toArray() });

  function deliverState(state: SharedCallState) {
    lastState = state;
    if (state.notifiedIds) notified.addAll(state.notifiedIds);
    try {
      deps.onState?.(state);
    } catch (error) {
      logger.error('tabs: onState threw', { error: String(error) });
    }
  }

  function displayHere(popup: CallPopup, callId: string) {
    if (!displayed.add(callId)) return;
    try {
      deps.display(popup);
    } catch (error) {
      logger.error('tabs: display threw', { callId, error: String(error) });
    }
  }

  let anonymous = 0;
  function routePopup(current: Term, popup: CallPopup, givenId: string) {
    let callId = givenId;
    if (callId === '') {
      // No id to deduplicate on: route it anyway, under a name nobody else uses.
      callId = `${tabId}#${++anonymous}`;
    } else if (!popped.add(callId)) {
      logger.debug('tabs: pop-up already shown for this call', { callId });
      return;
    } else {
      post({ type: 'mark', list: 'popped', callId });
    }
    const target = pickPopupTab(tabId, tabs);
    if (target === tabId) return displayHere(popup, callId);
    post({ type: 'popup', to: target, callId, popup });
    const timer = clock.setTimeout(() => {
      current.pending.delete(callId);
      if (!current.live) return;
      // The tab did not answer (closed or frozen since it reported): show it here, and stop
      // routing to that tab until it reports again.
      logger.warn('tabs: pop-up not acknowledged; showing it in the leader tab', { callId, target });
      tabs.delete(target);
      displayHere(popup, callId);
    }, timing.popupAckMs);
    current.pending.set(callId, timer);
  }

  function beginTerm() {
    if (stopped || term) return;
    const current: Term = { handle: null, live: true, pending: new Map() };
    term = current;
    // Without a channel (no APIs, or the election broke) this tab leads for itself alone.
    setRole(channel ? { role: 'leader' } : { role: 'alone' });
    post({ type: 'snapshot', state: lastState, handover: handover() });
    const ctx: LeadContext = {
      showPopup(popup, callId) {
        if (!current.live) return logger.warn('tabs: showPopup after the leadership ended', { callId });
        routePopup(current, popup, callId);
      },
      publish(state) {
        if (!current.live) return logger.warn('tabs: publish after the leadership ended');
        post({ type: 'state', state });
        deliverState(state);
      },
      notifiedIds: notified.toArray(),
      wasNotified: (callId) => notified.has(callId),
      markNotified(callId) {
        if (notified.add(callId)) post({ type: 'mark', list: 'notified', callId });
      },
    };
    try {
      current.handle = deps.lead(ctx);
    } catch (error) {
      logger.error('tabs: lead() threw', { error: String(error) });
    }
  }

  function endTerm() {
    const current = term;
    if (!current) return;
    term = null;
    current.live = false;
    for (const timer of current.pending.values()) clock.clearTimeout(timer);
    current.pending.clear();
    try {
      const ids = current.handle?.notifiedIds?.();
      if (Array.isArray(ids)) notified.addAll(ids.filter((id) => typeof id === 'string' && id.length > 0));
    } catch (error) {
      logger.error('tabs: notifiedIds() threw', { error: String(error) });
    }
    try {
      current.handle?.stop();
    } catch (error) {
      logger.error('tabs: stopping the leader threw', { error: String(error) });
    }
  }

  function goAlone(reason: string) {
    if (stopped || !channel) return;
    logger.warn('tabs: working alone in this tab', { reason });
    endTerm();
    election = null;
    mode = 'alone';
    closeChannel();
    for (const id of [...tabs.keys()]) if (id !== tabId) tabs.delete(id);
    beginTerm();
  }

  function onMessage(raw: unknown) {
    if (stopped) return;
    const parsed = parseTabMessage(raw, key);
    if (!parsed.ok) {
      warnOnce(`tabs:${parsed.reason}`, 'tabs: ignored a message from another tab', { reason: parsed.reason });
      return;
    }
    const message = parsed.message;
    if (message.from === tabId) return;
    switch (message.type) {
      case 'hello':
        tabs.set(message.from, message.attention);
        if (term) post({ type: 'snapshot', state: lastState, handover: handover() });
        return;
      case 'snapshot':
        popped.addAll(message.handover.popped);
        notified.addAll(message.handover.notified);
        if (term) {
          logger.warn('tabs: another tab announced itself leader', { other: message.from });
        } else if (role.role !== 'follower' || role.leaderId !== message.from) {
          setRole({ role: 'follower', leaderId: message.from });
          // A new leader may have missed our attention report: repeat it.
          post({ type: 'attention', attention });
        }
        if (message.state) deliverState(message.state);
        return;
      case 'state':
        if (!term) setRole({ role: 'follower', leaderId: message.from });
        deliverState(message.state);
        return;
      case 'mark':
        (message.list === 'popped' ? popped : notified).add(message.callId);
        return;
      case 'attention':
        tabs.set(message.from, message.attention);
        return;
      case 'popup':
        if (message.to !== tabId) return;
        displayHere(message.popup, message.callId);
        post({ type: 'popup-ack', to: message.from, callId: message.callId });
        return;
      case 'popup-ack': {
        if (message.to !== tabId || !term) return;
        const timer = term.pending.get(message.callId);
        if (timer !== undefined) clock.clearTimeout(timer);
        term.pending.delete(message.callId);
        return;
      }
      case 'bye':
        tabs.delete(message.from);
        if (message.handover) {
          popped.addAll(message.handover.popped);
          notified.addAll(message.handover.notified);
        }
        if (message.wasLeader && !term) {
          setRole({ role: 'follower', leaderId: null });
          election?.nudge();
        }
        return;
    }
  }

  function onAttention() {
    if (stopped) return;
    const next = readAttention(page, attention, clock.now());
    if (sameAttention(next, attention)) return;
    attention = next;
    tabs.set(tabId, next);
    post({ type: 'attention', attention: next });
  }

  function closeChannel() {
    while (unsubscribers.length > 0) unsubscribers.pop()?.();
    channel?.close();
    channel = null;
  }

  function stop() {
    if (stopped) return;
    const wasLeader = term !== null && channel !== null;
    endTerm();
    post({ type: 'bye', wasLeader, handover: wasLeader ? handover() : null });
    stopped = true;
    election?.stop();
    election = null;
    closeChannel();
    while (pageUnsubscribers.length > 0) pageUnsubscribers.pop()?.();
  }

  const pageUnsubscribers = [page.onAttention(onAttention), page.onUnload(stop)];

  if (!election) {
    closeChannel();
    beginTerm();
  } else {
    if (channel) unsubscribers.push(channel.onMessage(onMessage));
    if (deps.onStorage && election.kind === 'lease') {
      const leaseKey = leaseStorageKey(key);
      // The leader removed its lease (it left): claim now rather than at the next check.
      unsubscribers.push(deps.onStorage((event) => event.key === leaseKey && event.newValue === null && election?.nudge()));
    }
    post({ type: 'hello', attention });
    election.start();
  }

  return {
    get role() {
      return role;
    },
    get mode() {
      return mode;
    },
    stop,
  };
}
