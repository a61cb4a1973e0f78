/**
 * Leader election with Web Locks: every tab requests the same exclusive lock and the holder
 * leads for as long as it lives. The browser releases the lock when the tab closes or crashes
 * and grants it to the next waiting tab at once: no heartbeat, no expiry to wait for.
 * https://developer.mozilla.org/docs/Web/API/Web_Locks_API
 */
import type { Logger } from '../core/logger';
import type { Election, ElectionEvents } from './election';
import type { TabLocks } from './types';

export interface LockElectionDeps extends ElectionEvents {
  locks: TabLocks;
  name: string;
  logger: Logger;
  AbortController?: typeof AbortController;
}

type LockState =
  | { kind: 'idle' }
  | { kind: 'waiting'; abort: AbortController | null }
  | { kind: 'held'; release: () => void }
  | { kind: 'stopped' };

export function lockElection(deps: LockElectionDeps): Election {
  let state: LockState = { kind: 'idle' };

  return {
    kind: 'locks',
    start() {
      if (state.kind !== 'idle') return;
      const abort = deps.AbortController ? new deps.AbortController() : null;
      state = { kind: 'waiting', abort };
      const options = abort ? { mode: 'exclusive' as const, signal: abort.signal } : { mode: 'exclusive' as const };
      let request: Promise<unknown>;
      try {
        request = deps.locks.request(deps.name, options, () => {
          // Granted after stop() where AbortController is missing: give it straight back.
          if (state.kind !== 'waiting') return undefined;
          const held = new Promise<void>((resolve) => {
            state = { kind: 'held', release: resolve };
          });
          deps.onElected();
          return held;
        });
      } catch (error) {
        state = { kind: 'stopped' };
        deps.logger.warn('tabs: the leader lock request failed', { error: String(error) });
        deps.onFailed();
        return;
      }
      request.then(
        () => undefined,
        (error: unknown) => {
          if (state.kind === 'stopped') return; // our own abort
          state = { kind: 'stopped' };
          deps.logger.warn('tabs: the leader lock request failed', { error: String(error) });
          deps.onFailed();
        },
      );
    },
    nudge() {
      // The browser hands the lock over by itself.
    },
    stop() {
      const previous = state;
      state = { kind: 'stopped' };
      if (previous.kind === 'held') previous.release();
      else if (previous.kind === 'waiting') previous.abort?.abort();
    },
  };
}
