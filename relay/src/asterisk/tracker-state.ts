/**
 * The call tracker's memory: Asterisk's channels, the calls they belong to (one per Linkedid)
 * and the feed's legs (one per call and extension, docs/call-feed-protocol.md "Version 2").
 * Channels and calls are indexes the rules update in place; a leg is an immutable value of a
 * discriminated union that only the pure steps of tracker-legs.ts replace.
 */
import type { CallDirection, CallResult } from '../../../src/protocol';
import type { Log } from './ami-types';
import type { ChannelIdentity, ChannelNaming } from './channels';

/** How a channel came to be: it called (a phone, a trunk), it was dialled, or Originate made it. */
export type Side = 'caller' | 'callee' | 'originated';

/** Why a leg that was never answered ended, as Dial or the hang-up cause said. */
export type EndHint = 'busy' | 'failed' | 'missed' | 'answered_elsewhere';

export interface Channel {
  readonly uniqueid: string;
  readonly name: string;
  readonly identity: ChannelIdentity;
  callId: string;
  side: Side;
  callerNum: string;
  connectedNum: string;
  /** The first exten the channel entered the dialplan with ('' until one other than `s`). */
  dialled: string;
  /** The leg this channel is part of (the employee's phone, the Local halves reaching it). */
  leg?: string;
  /** The outbound leg this channel is the far end of (the trunk an extension dialled). */
  far?: string;
  bridge?: string;
  /** ChannelState: 4 Ring (it calls), 5 Ringing (it is rung), 6 Up. */
  state: number;
}

interface LegCommon {
  readonly key: string;
  readonly callId: string;
  readonly extension: string;
  readonly direction: CallDirection;
  readonly phone: string;
  readonly openedAt: number;
  readonly hint?: EndHint;
}

/** pending: known (dialled) but not ringing yet, nothing sent; ended legs are forgotten but their key. */
export type Leg =
  | (LegCommon & { readonly phase: 'pending' })
  | (LegCommon & { readonly phase: 'ringing'; readonly ringingAt: number })
  | (LegCommon & { readonly phase: 'answered'; readonly answeredAt: number })
  | (LegCommon & { readonly phase: 'ended'; readonly endedAt: number; readonly result: CallResult });

export interface Call {
  readonly id: string;
  readonly createdAt: number;
  readonly seq: number;
  readonly channels: Set<string>;
  readonly legs: Set<string>;
  /** When legs of this call were answered (answered_elsewhere for the legs opened before). */
  answers: number[];
  recording?: { file: string; rank: number };
}

export interface TrackerLimits {
  /** Live channels, and live legs, remembered at most (default 20 000). */
  maxLive: number;
  /** Ended legs and hung-up channels remembered so late events change nothing (default 20 000). */
  maxEnded: number;
  /** Expected originates remembered at most (default 1 000). */
  maxExpected: number;
}

export interface TrackerEnv {
  naming: ChannelNaming;
  recordingUrl: (file: string, callId: string) => string | undefined;
  log: Log;
  limits: TrackerLimits;
}

export interface TrackerState {
  readonly env: TrackerEnv;
  readonly channels: Map<string, Channel>;
  /** Channel name -> Uniqueid, to pair a Local's halves. */
  readonly byName: Map<string, string>;
  readonly calls: Map<string, Call>;
  readonly legs: Map<string, Leg>;
  /** Leg key -> the live channels that are part of it. */
  readonly members: Map<string, Set<string>>;
  /** Ended leg keys (insertion order = age): a late event for them does nothing. */
  readonly ended: Map<string, number>;
  /** Hung-up Uniqueids: a late event for them creates nothing. */
  readonly gone: Map<string, number>;
  readonly bridges: Map<string, Set<string>>;
  readonly expected: Map<string, { extension: string; number: string }>;
  seq: number;
}

export function createTrackerState(env: TrackerEnv): TrackerState {
  return {
    env, channels: new Map(), byName: new Map(), calls: new Map(), legs: new Map(), members: new Map(),
    ended: new Map(), gone: new Map(), bridges: new Map(), expected: new Map(), seq: 0,
  };
}

export const legKey = (callId: string, extension: string): string => `${callId}\u0000${extension}`;

/** Remembers key in a map bounded to max entries, the oldest dropped first. */
export function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done) break;
    map.delete(oldest.value);
  }
}

export function callFor(state: TrackerState, callId: string, now: number): Call {
  let call = state.calls.get(callId);
  if (!call) {
    state.seq += 1;
    call = { id: callId, createdAt: now, seq: state.seq, channels: new Set(), legs: new Set(), answers: [] };
    state.calls.set(callId, call);
  }
  return call;
}
