/** The CallNotifier under test: a manual clock, lookups answered by hand, a recording sink. */
import { silentLogger } from '../../../src/core/logger';
import type { Logger } from '../../../src/core/logger';
import type { CallChange, CallEvent } from '../../../src/feed/types';
import type { CallerLookup, LookupResult } from '../../../src/lookup/types';
import { createCallNotifier, ENGLISH_NOTIFY_STRINGS } from '../../../src/notify';
import type { CallNotifierDeps } from '../../../src/notify';
import { createManualClock } from '../../support/stepped-clock';
import type { ManualClock } from '../../support/stepped-clock';
import { AT_MS, callEvent, recordingSink } from './fixtures';

/** A lookup whose answers the test releases by hand (or never). */
export function manualLookup() {
  const calls: string[] = [];
  const pending: { raw: string; resolve: (r: LookupResult) => void; reject: (e: unknown) => void }[] = [];
  const lookup: CallerLookup = {
    findByNumber(raw) {
      calls.push(raw);
      return new Promise((resolve, reject) => pending.push({ raw, resolve, reject }));
    },
    dispose() {},
  };
  return { lookup, calls, pending };
}

/** A lookup that answers at once (next microtask). */
export function instantLookup(result: LookupResult) {
  const calls: string[] = [];
  const lookup: CallerLookup = { findByNumber: async (raw) => (calls.push(raw), result), dispose() {} };
  return { lookup, calls };
}

const state = (call: CallEvent, previous: CallEvent['state'] | null = null): CallChange => ({ kind: 'state', call, previous });
export const ring = (o: Partial<CallEvent> = {}) => state(callEvent({ state: 'ringing', ...o }));
export const answer = (o: Partial<CallEvent> = {}) => state(callEvent({ state: 'answered', ...o }), 'ringing');
export const end = (o: Partial<CallEvent> = {}) => state(callEvent({ state: 'ended', duration: 42, result: 'answered', ...o }), 'answered');
export const vanish = (o: Partial<CallEvent> = {}): CallChange => ({ kind: 'vanished', call: callEvent({ state: 'answered', ...o }) });

/** A logger that keeps the messages of each level. */
export function recordingLog(): Logger & { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  return { ...silentLogger, errors, warnings, error: (m) => void errors.push(m), warn: (m) => void warnings.push(m) };
}

export interface Harness {
  clock: ManualClock;
  sink: ReturnType<typeof recordingSink>;
  notifier: ReturnType<typeof createCallNotifier>;
}

export function setup(overrides: Partial<CallNotifierDeps> & { lookup: CallerLookup }): Harness {
  const clock = createManualClock(AT_MS);
  const sink = recordingSink();
  const notifier = createCallNotifier({
    sink,
    strings: ENGLISH_NOTIFY_STRINGS,
    locale: 'en',
    clock,
    logger: silentLogger,
    manager: { id: '504141', name: 'Maria Silva', extension: '101' },
    mode: 'widget',
    ...overrides,
  });
  return { clock, sink, notifier };
}
