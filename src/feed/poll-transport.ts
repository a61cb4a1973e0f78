/**
 * The polling transport's shell: owns the one timer, the request in flight and the visibility
 * listener, feeds what happens into `stepPoll` (poll-machine.ts, where every decision is) and
 * performs the effects it answers. JSON mode or script mode (poll-json.ts, poll-script.ts).
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { Dropped } from '../protocol/frames';
import { createEmitter, createSingleTimer, runMachine } from './poll-shared';
import { createJsonPolls } from './poll-json';
import { stepPoll } from './poll-machine';
import type { PollEffect, PollInput, PollOutcome, PollState } from './poll-machine';
import { createScriptPolls } from './poll-script';
import type { ScriptLoader } from './poll-script';
import type { PollRequests } from './poll-wire';
import type { CallTransport, FeedStatus, TransportEvents } from './types';
import type { FeedCredentials } from './credentials';

export interface PollTransportDeps {
  url: string;
  mode: 'json' | 'script';
  intervalMs: number;
  credentials: FeedCredentials;
  extensions: string[];
  clock: Clock;
  logger: Logger;
  fetch: typeof fetch;
  /** Script mode only; the feed checks they are there (feedConfigProblem). */
  loadScript?: ScriptLoader;
  callbacks?: Record<string, unknown>;
  /** Nobody looks at this tab and it serves no other: it polls less often and backs off. */
  hidden(): boolean;
  onVisibilityChange(handler: () => void): () => void;
  random: () => number;
  onDrop(dropped: Dropped): void;
}

export function createPollTransport(deps: PollTransportDeps): CallTransport {
  const emitter = createEmitter<TransportEvents>();
  const timer = createSingleTimer(deps.clock);
  const now = () => deps.clock.now();
  const common = { url: deps.url, extensions: deps.extensions, now };
  const requests: PollRequests =
    deps.mode === 'script'
      ? createScriptPolls({ ...common, loadScript: deps.loadScript as ScriptLoader, callbacks: deps.callbacks as Record<string, unknown>, random: deps.random })
      : createJsonPolls({ ...common, fetch: deps.fetch });
  const config = { url: deps.url, method: deps.mode === 'script' ? ('SCRIPT' as const) : ('GET' as const), intervalMs: deps.intervalMs };
  let status: FeedStatus = { status: 'idle' };
  let inFlight: { cancel(): void } | null = null;
  /** Which request may still answer: bumped by every send and cancel, so a stale answer is ignored. */
  let requestSeq = 0;
  let offVisibility: (() => void) | null = null;


  const machine = runMachine<PollState, PollInput, PollEffect>({ phase: 'idle' }, (state, input) => stepPoll(config, state, input), perform);

  function onOutcome(seq: number, outcome: PollOutcome): void {
    if (seq !== requestSeq) return;
    requestSeq += 1;
    inFlight = null;
    machine.dispatch({ kind: 'outcome', now: now(), outcome, slow: deps.hidden() });
  }

  function perform(effect: PollEffect): void {
    switch (effect.kind) {
      case 'request': {
        requestSeq += 1;
        const seq = requestSeq;
        // After a refusal the request waits for the renewed credential.
        deps.credentials.whenReady(() => {
          if (seq !== requestSeq) return;
          const handle = requests.send({ etag: effect.etag, since: effect.since, credential: deps.credentials.current() }, (outcome) => onOutcome(seq, outcome));
          if (seq === requestSeq) inFlight = handle; // not when it already answered synchronously
        });
        return;
      }
      case 'renew-credential':
        deps.credentials.renew();
        return;
      case 'cancel-request':
        requestSeq += 1;
        inFlight?.cancel();
        inFlight = null;
        return;
      case 'set-timer':
        timer.set(effect.ms, () => machine.dispatch({ kind: 'timer', now: now(), slow: deps.hidden() }));
        return;
      case 'clear-timer':
        timer.clear();
        return;
      case 'emit-status':
        status = effect.status;
        emitter.emit('status', effect.status);
        return;
      case 'emit-calls': {
        const { kind: _, ...batch } = effect;
        emitter.emit('calls', batch);
        return;
      }
      case 'drop':
        deps.onDrop(effect.dropped);
        return;
      case 'warn':
        deps.logger.warn(effect.message, { url: deps.url });
        return;
    }
  }

  return {
    start() {
      if (machine.state.phase !== 'idle') return;
      offVisibility = deps.onVisibilityChange(() => {
        if (!deps.hidden()) machine.dispatch({ kind: 'visible', now: now() });
      });
      machine.dispatch({ kind: 'start', now: now() });
    },
    stop() {
      offVisibility?.();
      offVisibility = null;
      machine.dispatch({ kind: 'stop' });
      timer.clear();
      requests.dispose();
      emitter.clear();
    },
    nudge() {
      machine.dispatch({ kind: 'nudge', now: now() });
    },
    get status() {
      return status;
    },
    on(type, handler) {
      return emitter.on(type, handler);
    },
  };
}
