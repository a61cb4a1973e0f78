/**
 * What each protocol version is shown of the same legs (pure). Version 2 sees every leg as it
 * is. Version 1 (a widget that knows neither legs nor `answered_elsewhere` nor expiry) sees
 * exactly what it saw before version 2 existed:
 * - one entry per `call_id` (the most advanced leg of those it subscribed to);
 * - an end it cannot express (answered elsewhere, expired) is not sent as an end: the leg
 *   vanishes from its lists, which version 1 defines as "over, no completed-call notification"
 *   (a colleague's answered call is not this employee's missed call).
 */
import { composeSnapshotV1, composeSnapshotV2, stateRank } from '../../src/protocol';
import type { CallEvent } from '../../src/protocol';
import type { CallStore, Leg } from './store';

export type ProtocolVersion = 1 | 2;

export function vanishesForV1(event: CallEvent): boolean {
  return event.state === 'ended' && (event.result === 'answered_elsewhere' || event.expired === true);
}

export interface ListRule {
  now: number;
  /** Ended legs younger than this are listed (the protocol's 60 s). */
  recentEndedMs: number;
}

function recentlyEnded(leg: Leg, rule: ListRule): boolean {
  return leg.event.state === 'ended' && rule.now - leg.stateAt < rule.recentEndedMs;
}

/** Version 2 snapshots and polls: active legs and legs ended within the last 60 s, in offset order. */
export function callsForV2(legs: readonly Leg[], rule: ListRule): CallEvent[] {
  return legs.filter((leg) => leg.event.state !== 'ended' || recentlyEnded(leg, rule)).map((leg) => leg.event);
}

/**
 * Version 1: the WebSocket snapshot lists active calls only (`includeEnded` false), the poll
 * answer active calls and calls ended within the last 60 s.
 */
export function callsForV1(legs: readonly Leg[], rule: ListRule & { includeEnded: boolean }): CallEvent[] {
  const chosen = new Map<string, Leg>();
  for (const leg of legs) {
    if (leg.event.state === 'ended' && (!rule.includeEnded || !recentlyEnded(leg, rule) || vanishesForV1(leg.event))) continue;
    const other = chosen.get(leg.event.callId);
    // legs come in offset order, so on a tie the later leg wins
    if (other === undefined || stateRank(leg.event.state) >= stateRank(other.event.state)) chosen.set(leg.event.callId, leg);
  }
  return [...chosen.values()].sort((a, b) => a.offset - b.offset).map((leg) => leg.event);
}

/** The snapshot a subscriber of `version` gets; version 2 with what it missed since `since`. */
export function snapshotFrame(store: CallStore, version: ProtocolVersion, extensions: Set<string>, since: Parameters<CallStore['missedSince']>[1] | null, rule: ListRule): object {
  const legs = store.legsOf(extensions);
  if (version === 1) return composeSnapshotV1(callsForV1(legs, { ...rule, includeEnded: false }));
  const recovery = since === null ? { recovered: false, missed: [] } : store.missedSince(extensions, since);
  return composeSnapshotV2({ ...store.position(), ...recovery, calls: callsForV2(legs, rule) });
}
