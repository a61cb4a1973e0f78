/**
 * The shared call state as it crosses tabs: built from the leader's objects, and checked on
 * arrival (another tab is another program: a half-updated widget, a stray script).
 */
import type { CallEvent, FeedStatus } from '../feed/types';
import type { LookupResult } from '../lookup/types';
import type { SharedCaller, SharedCallState } from './types';
import { isRecord } from '../protocol/record';

/** A lookup result without the error object, which does not survive structured clone or JSON. */
export function toSharedCaller(result: LookupResult): SharedCaller {
  return result.kind === 'failed' ? { kind: 'failed', number: result.number, message: result.error.message } : result;
}

const CALL_STATES = new Set(['ringing', 'answered', 'ended']);
const DIRECTIONS = new Set(['inbound', 'outbound']);
const CALLER_KINDS = new Set(['found', 'not_found', 'failed', 'internal', 'invalid']);
const FEED_STATES = new Set<FeedStatus['status']>(['idle', 'connecting', 'open', 'backoff', 'closed']);


function isCallEvent(value: unknown): value is CallEvent {
  return (
    isRecord(value) &&
    typeof value.callId === 'string' &&
    value.callId.length > 0 &&
    CALL_STATES.has(value.state as string) &&
    DIRECTIONS.has(value.direction as string) &&
    typeof value.phone === 'string' &&
    typeof value.extension === 'string' &&
    typeof value.at === 'number'
  );
}

/** The caller is displayed by followers: its shape is checked at the top level only. */
function isCaller(value: unknown): value is SharedCaller | null {
  return value === null || (isRecord(value) && CALLER_KINDS.has(value.kind as string));
}

function isIdList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((id) => typeof id === 'string' && id.length > 0);
}

export function parseSharedCallState(value: unknown): SharedCallState | null {
  if (!isRecord(value) || !Array.isArray(value.calls) || !value.calls.every(isCallEvent)) return null;
  const state: SharedCallState = { calls: value.calls };
  if (value.notifiedIds !== undefined) {
    if (!isIdList(value.notifiedIds)) return null;
    state.notifiedIds = value.notifiedIds;
  }
  if (value.callers !== undefined) {
    if (!isRecord(value.callers) || !Object.values(value.callers).every((caller) => caller !== null && isCaller(caller))) return null;
    state.callers = value.callers as Record<string, SharedCaller>;
  }
  if (value.feed !== undefined) {
    if (!FEED_STATES.has(value.feed as FeedStatus['status'])) return null;
    state.feed = value.feed as FeedStatus['status'];
  }
  return state;
}
