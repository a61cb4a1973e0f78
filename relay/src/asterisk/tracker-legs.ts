/**
 * A leg's state machine, pure: (leg, input, at) -> (leg, the feed event to send, if any). States
 * only move forward, ringing -> answered -> ended, and a step that does not move a leg sends
 * nothing, so replaying an event or a resync never repeats a state.
 */
import type { CallEvent, CallResult } from '../../../src/protocol';
import type { EndHint, Leg } from './tracker-state';

export interface LegStep {
  leg: Leg;
  event?: CallEvent;
}

export interface LegEnd {
  /** Decided by the rules for a leg never answered; an answered leg always ends `answered`. */
  unanswered: EndHint;
  recordingUrl?: string;
  /** The channels vanished without a Hangup we saw (a reconnect): outcome and time unknown. */
  expired?: boolean;
}

function event(leg: Leg, state: CallEvent['state'], at: number): CallEvent {
  return { callId: leg.callId, state, direction: leg.direction, phone: leg.phone, extension: leg.extension, at };
}

export function ringLeg(leg: Leg, at: number): LegStep {
  if (leg.phase !== 'pending') return { leg };
  const next: Leg = { ...leg, phase: 'ringing', ringingAt: at };
  return { leg: next, event: event(next, 'ringing', at) };
}

export function answerLeg(leg: Leg, at: number): LegStep {
  if (leg.phase !== 'pending' && leg.phase !== 'ringing') return { leg };
  const next: Leg = { ...leg, phase: 'answered', answeredAt: at };
  return { leg: next, event: event(next, 'answered', at) };
}

export function hintLeg(leg: Leg, hint: EndHint | undefined): Leg {
  if (hint === undefined || leg.phase === 'ended' || leg.hint === 'answered_elsewhere') return leg;
  return { ...leg, hint };
}

/**
 * A leg that never rang on the phone sends nothing when it ends, unless the PBX refused it
 * (busy, failed): a colleague's answer or a hang-up before the first ring is no call to show.
 */
export function endLeg(leg: Leg, at: number, how: LegEnd): LegStep {
  if (leg.phase === 'ended') return { leg };
  const result: CallResult = leg.phase === 'answered' ? 'answered' : how.unanswered;
  const next: Leg = { ...leg, phase: 'ended', endedAt: at, result };
  if (leg.phase === 'pending' && result !== 'busy' && result !== 'failed') return { leg: next };
  const ended: CallEvent = { ...event(next, 'ended', at), result };
  if (how.expired) ended.expired = true;
  else ended.duration = leg.phase === 'answered' ? Math.max(0, Math.round((at - leg.answeredAt) / 1000)) : 0;
  if (result === 'answered' && how.recordingUrl !== undefined) ended.recordingUrl = how.recordingUrl;
  return { leg: next, event: ended };
}
