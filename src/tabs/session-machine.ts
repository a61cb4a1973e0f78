/**
 * The tab session as one pure step: the shell (session.ts) feeds it the election's verdicts,
 * the other tabs' messages, the page's attention and the leader's calls, and performs the plain
 * effects it returns. Each concern is its own machine; this only dispatches between them.
 */
import { initialLeadership, stepLeadership, termOf, type LeadershipEffect, type LeadershipInput, type LeadershipState } from './leadership';
import { initialNotified, stepNotified, type NotifiedInput, type NotifiedState } from './notified';
import type { TabMessage, TabMessageBody } from './protocol';
import { initialRouting, ownAttention, stepRouting, type RoutingInput, type RoutingState } from './routing';
import { stepSharing, type SharingInput, type SharingState } from './sharing';
import type { Attention, Handover, TabMode, TabRole } from './types';

export interface SessionState<P, S> {
  readonly leadership: LeadershipState;
  readonly routing: RoutingState<P>;
  readonly notified: NotifiedState;
  readonly sharing: SharingState<S>;
}

export type SessionInput<P, S> =
  | { type: 'start' }
  | { type: 'elected' }
  /** `leadIds`: what the ending lead handle answered (the shell asks it before the step). */
  | { type: 'deposed'; leadIds: readonly string[] }
  | { type: 'failed'; leadIds: readonly string[] }
  | { type: 'stop'; leadIds: readonly string[] }
  | { type: 'look'; attention: Attention }
  | { type: 'message'; message: TabMessage<P, S> }
  /** From the context of lead term `term`: ignored once that term is over. */
  | { type: 'show'; term: number; popup: P; callId: string }
  | { type: 'publish'; term: number; state: S }
  | { type: 'mark-notified'; callId: string }
  | { type: 'ack-timeout'; callId: string };

export type SessionEffect<P, S> =
  | { kind: 'post'; body: TabMessageBody<P, S> }
  | { kind: 'display'; popup: P; callId: string }
  | { kind: 'deliver'; state: S }
  | { kind: 'role'; role: TabRole }
  /** Run `lead()`; `notifiedIds` is its context's copy of the handed-over ids. */
  | { kind: 'lead'; term: number; notifiedIds: string[] }
  | { kind: 'end-lead'; term: number }
  | { kind: 'ack-timer'; callId: string; ms: number }
  | { kind: 'cancel-ack-timer'; callId: string }
  | { kind: 'start-election' }
  | { kind: 'nudge' }
  | { kind: 'isolate' }
  | { kind: 'release' }
  | { kind: 'log'; level: 'debug' | 'info' | 'warn'; message: string; context: Record<string, unknown> };

export type SessionStep<P, S> = { state: SessionState<P, S>; effects: SessionEffect<P, S>[] };

export function initialSession<P, S>(tabId: string, mode: TabMode, attention: Attention): SessionState<P, S> {
  return { leadership: initialLeadership(mode), routing: initialRouting(tabId, attention), notified: initialNotified, sharing: { last: null } };
}

export const handoverOf = (state: SessionState<unknown, unknown>): Handover => ({ popped: state.routing.popped, notified: state.notified.ids });

/** Steps of the parts, chained: each returns the whole state and appends its effects. */
class Run<P, S> {
  readonly effects: SessionEffect<P, S>[] = [];
  constructor(public state: SessionState<P, S>) {}

  routing(input: RoutingInput<P>): void {
    const out = stepRouting(this.state.routing, input);
    this.state = { ...this.state, routing: out.state };
    this.effects.push(...out.effects);
  }

  notified(input: NotifiedInput): void {
    const out = stepNotified(this.state.notified, input);
    this.state = { ...this.state, notified: out.state };
    for (const effect of out.effects) this.effects.push({ kind: 'post', body: { type: 'mark', list: 'notified', callId: effect.callId } });
  }

  sharing(input: SharingInput<S>): void {
    const out = stepSharing(this.state.sharing, input);
    this.state = { ...this.state, sharing: out.state };
    this.effects.push(...out.effects);
  }

  handover(handover: Handover): void {
    this.routing({ type: 'learn-popped', ids: handover.popped });
    this.notified({ type: 'learn', ids: handover.notified });
  }

  snapshot(): void {
    this.effects.push({ kind: 'post', body: { type: 'snapshot', state: this.state.sharing.last, handover: handoverOf(this.state) } });
  }

  leadership(input: LeadershipInput): void {
    const out = stepLeadership(this.state.leadership, input);
    this.state = { ...this.state, leadership: out.state };
    for (const effect of out.effects) this.perform(effect);
  }

  private perform(effect: LeadershipEffect): void {
    switch (effect.kind) {
      case 'begin-term':
        if (effect.connected) this.snapshot();
        this.effects.push({ kind: 'lead', term: effect.term, notifiedIds: [...this.state.notified.ids] });
        return;
      case 'end-term':
        this.routing({ type: 'term-ended' });
        this.effects.push({ kind: 'end-lead', term: effect.term });
        return;
      case 'hello':
      case 'repeat-attention': {
        const attention = ownAttention(this.state.routing);
        this.effects.push({ kind: 'post', body: effect.kind === 'hello' ? { type: 'hello', attention } : { type: 'attention', attention } });
        return;
      }
      case 'isolate':
        this.routing({ type: 'isolated' });
        this.effects.push(effect);
        return;
      case 'bye':
        this.effects.push({ kind: 'post', body: { type: 'bye', wasLeader: effect.wasLeader, handover: effect.wasLeader ? handoverOf(this.state) : null } });
        return;
      default:
        this.effects.push(effect);
    }
  }

  message(message: TabMessage<P, S>): void {
    const self = this.state.routing.self;
    if (message.from === self) return;
    switch (message.type) {
      case 'hello':
        this.routing({ type: 'attention', from: message.from, attention: message.attention });
        if (termOf(this.state.leadership) !== null) this.snapshot();
        return;
      case 'snapshot':
        this.handover(message.handover);
        this.leadership({ type: 'announced', from: message.from, via: 'snapshot' });
        if (message.state !== null) this.sharing({ type: 'received', state: message.state });
        return;
      case 'state':
        this.leadership({ type: 'announced', from: message.from, via: 'state' });
        this.sharing({ type: 'received', state: message.state });
        return;
      case 'mark':
        if (message.list === 'popped') this.routing({ type: 'learn-popped', ids: [message.callId] });
        else this.notified({ type: 'learn', ids: [message.callId] });
        return;
      case 'attention':
        this.routing({ type: 'attention', from: message.from, attention: message.attention });
        return;
      case 'popup':
        this.routing({ type: 'routed', from: message.from, to: message.to, callId: message.callId, popup: message.popup });
        return;
      case 'popup-ack':
        this.routing({ type: 'acked', to: message.to, callId: message.callId });
        return;
      case 'bye':
        this.routing({ type: 'left', from: message.from });
        if (message.handover) this.handover(message.handover);
        if (message.wasLeader) this.leadership({ type: 'leader-left' });
        return;
    }
  }
}

const isLive = (state: SessionState<unknown, unknown>, term: number) => termOf(state.leadership) === term;

export function stepSession<P, S>(state: SessionState<P, S>, input: SessionInput<P, S>): SessionStep<P, S> {
  const run = new Run(state);
  if (state.leadership.phase === 'stopped' && input.type !== 'mark-notified') return { state, effects: [] };
  switch (input.type) {
    case 'start':
    case 'elected':
      run.leadership(input);
      break;
    case 'deposed':
    case 'failed':
    case 'stop':
      run.notified({ type: 'learn', ids: input.leadIds });
      run.leadership({ type: input.type });
      break;
    case 'look':
    case 'ack-timeout':
      run.routing(input);
      break;
    case 'message':
      run.message(input.message);
      break;
    case 'show':
      if (!isLive(state, input.term)) return { state, effects: [{ kind: 'log', level: 'warn', message: 'tabs: showPopup after the leadership ended', context: { callId: input.callId } }] };
      run.routing({ type: 'show', popup: input.popup, callId: input.callId });
      break;
    case 'publish':
      if (!isLive(state, input.term)) return { state, effects: [{ kind: 'log', level: 'warn', message: 'tabs: publish after the leadership ended', context: {} }] };
      run.sharing({ type: 'publish', state: input.state });
      break;
    case 'mark-notified':
      run.notified({ type: 'mark', callId: input.callId });
      break;
  }
  return { state: run.state, effects: run.effects };
}

export const wasNotified = (state: SessionState<unknown, unknown>, callId: string): boolean => state.notified.ids.includes(callId);
