/**
 * Pop-up routing, as data: every tab reports its attention; the leader sends each pop-up to the
 * tab looked at most recently (else shows it itself), once per call id, and shows it itself
 * when the target does not acknowledge in time. The displaying tab shows a call id once.
 */
import { pickPopupTab, sameAttention } from './attention';
import { addCallId, addCallIds, type CallIds } from './handover';
import type { TabMessageBody } from './protocol';
import { defaultTabTiming } from './timing';
import type { Attention } from './types';

export interface RoutingState<P> {
  readonly self: string;
  /** Every tab's last reported attention, this one's included. */
  readonly tabs: ReadonlyMap<string, Attention>;
  /** Call ids whose pop-up a leader (this tab or an earlier one) already routed. */
  readonly popped: CallIds;
  /** Call ids displayed in this tab: a late retry or a second leader must not show one twice. */
  readonly displayed: CallIds;
  /** Pop-ups routed by this leader and not acknowledged yet, by call id. */
  readonly awaiting: ReadonlyMap<string, { target: string; popup: P }>;
  /** Pop-ups routed without a call id so far (they get a name nobody else uses). */
  readonly anonymous: number;
}

export type RoutingInput<P> =
  /** This tab's attention now (the shell reads the page). */
  | { type: 'look'; attention: Attention }
  | { type: 'attention'; from: string; attention: Attention }
  | { type: 'left'; from: string }
  /** The leader's `showPopup`. */
  | { type: 'show'; popup: P; callId: string }
  | { type: 'routed'; from: string; to: string; callId: string; popup: P }
  | { type: 'acked'; to: string; callId: string }
  | { type: 'ack-timeout'; callId: string }
  | { type: 'learn-popped'; ids: readonly string[] }
  /** The leadership ended: no retry is owed any more. */
  | { type: 'term-ended' }
  /** No channel any more: there is no other tab to route to. */
  | { type: 'isolated' };

export type RoutingEffect<P> =
  | { kind: 'post'; body: TabMessageBody<P, never> }
  | { kind: 'display'; popup: P; callId: string }
  | { kind: 'ack-timer'; callId: string; ms: number }
  | { kind: 'cancel-ack-timer'; callId: string }
  | { kind: 'log'; level: 'debug' | 'warn'; message: string; context: Record<string, unknown> };

type Step<P> = { state: RoutingState<P>; effects: RoutingEffect<P>[] };

export function initialRouting<P>(self: string, attention: Attention): RoutingState<P> {
  return { self, tabs: new Map([[self, attention]]), popped: [], displayed: [], awaiting: new Map(), anonymous: 0 };
}

const withTab = (tabs: ReadonlyMap<string, Attention>, id: string, attention: Attention) => new Map(tabs).set(id, attention);

function withoutKey<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}

function display<P>(state: RoutingState<P>, popup: P, callId: string): Step<P> {
  const displayed = addCallId(state.displayed, callId);
  if (displayed === state.displayed) return { state, effects: [] };
  return { state: { ...state, displayed }, effects: [{ kind: 'display', popup, callId }] };
}

function show<P>(state: RoutingState<P>, popup: P, givenId: string): Step<P> {
  const effects: RoutingEffect<P>[] = [];
  let next = state;
  let callId = givenId;
  if (callId === '') {
    // No id to deduplicate on: route it anyway, under a name nobody else uses.
    next = { ...next, anonymous: next.anonymous + 1 };
    callId = `${state.self}#${next.anonymous}`;
  } else {
    const popped = addCallId(state.popped, callId);
    if (popped === state.popped) return { state, effects: [{ kind: 'log', level: 'debug', message: 'tabs: pop-up already shown for this call', context: { callId } }] };
    next = { ...next, popped };
    effects.push({ kind: 'post', body: { type: 'mark', list: 'popped', callId } });
  }
  const target = pickPopupTab(state.self, next.tabs);
  if (target === state.self) {
    // Shown here first, the other tabs told after it: the post costs the pop-up milliseconds
    // (issue 18), and both run in this one step, so no other tab can show it in between.
    const shown = display(next, popup, callId);
    return { state: shown.state, effects: [...shown.effects, ...effects] };
  }
  effects.push({ kind: 'post', body: { type: 'popup', to: target, callId, popup } }, { kind: 'ack-timer', callId, ms: defaultTabTiming.popupAckMs });
  return { state: { ...next, awaiting: new Map(next.awaiting).set(callId, { target, popup }) }, effects };
}

export function stepRouting<P>(state: RoutingState<P>, input: RoutingInput<P>): Step<P> {
  switch (input.type) {
    case 'look':
      if (sameAttention(ownAttention(state), input.attention)) return { state, effects: [] };
      return { state: { ...state, tabs: withTab(state.tabs, state.self, input.attention) }, effects: [{ kind: 'post', body: { type: 'attention', attention: input.attention } }] };
    case 'attention':
      return { state: { ...state, tabs: withTab(state.tabs, input.from, input.attention) }, effects: [] };
    case 'left':
      return { state: { ...state, tabs: withoutKey(state.tabs, input.from) }, effects: [] };
    case 'show':
      return show(state, input.popup, input.callId);
    case 'routed': {
      if (input.to !== state.self) return { state, effects: [] };
      const shown = display(state, input.popup, input.callId);
      return { state: shown.state, effects: [...shown.effects, { kind: 'post', body: { type: 'popup-ack', to: input.from, callId: input.callId } }] };
    }
    case 'acked':
      if (input.to !== state.self || !state.awaiting.has(input.callId)) return { state, effects: [] };
      return { state: { ...state, awaiting: withoutKey(state.awaiting, input.callId) }, effects: [{ kind: 'cancel-ack-timer', callId: input.callId }] };
    case 'ack-timeout': {
      const routed = state.awaiting.get(input.callId);
      if (!routed) return { state, effects: [] };
      // The tab did not answer (closed or frozen since it reported): show it here, and stop
      // routing to that tab until it reports again.
      const log: RoutingEffect<P> = { kind: 'log', level: 'warn', message: 'tabs: pop-up not acknowledged; showing it in the leader tab', context: { callId: input.callId, target: routed.target } };
      const next = { ...state, tabs: withoutKey(state.tabs, routed.target), awaiting: withoutKey(state.awaiting, input.callId) };
      const shown = display(next, routed.popup, input.callId);
      return { state: shown.state, effects: [log, ...shown.effects] };
    }
    case 'learn-popped':
      return { state: { ...state, popped: addCallIds(state.popped, input.ids) }, effects: [] };
    case 'term-ended':
      return {
        state: { ...state, awaiting: new Map() },
        effects: [...state.awaiting.keys()].map((callId) => ({ kind: 'cancel-ack-timer', callId })),
      };
    case 'isolated':
      return { state: { ...state, tabs: new Map([[state.self, ownAttention(state)]]) }, effects: [] };
  }
}

export function ownAttention<P>(state: RoutingState<P>): Attention {
  return state.tabs.get(state.self) ?? { kind: 'hidden' };
}
