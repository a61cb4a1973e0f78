/**
 * The Asterisk adapter's shell (docs/asterisk.md): the AMI client's events go through the call
 * tracker into the relay's store; after every (re)connect it asks Asterisk what is in progress
 * (`CoreShowChannels`) and resynchronises, holding the events that arrive meanwhile so that
 * they apply after the list they may postdate (the tracker takes repeats as no-ops). It owns no
 * timer of its own: the client owns the connection's.
 */
import type { CallEvent } from '../../../src/protocol';
import type { PbxSink, PbxSource } from '../pbx-source';
import type { AmiActions, AmiMessage, AmiStatus, Log } from './ami-types';

/**
 * Events held during one resync at most (the list's answer comes within the client's action
 * timeout; a PBX that sends more meanwhile is one in trouble): beyond it the resync's list is
 * stale anyway, so the held events apply at once and the list, when it comes, is ignored.
 */
const MAX_HELD = 100_000;

/** What the shell needs of the AMI client (ami-client.ts). */
export interface AmiConnection extends AmiActions {
  start(): void;
  stop(): Promise<void>;
  onEvent(listener: (message: AmiMessage) => void): () => void;
  onReady(listener: () => void): () => void;
  status(): AmiStatus;
}

/** What the shell needs of the call tracker (call-tracker.ts). */
export interface AmiCallTracker {
  onEvent(message: AmiMessage, now: number): CallEvent[];
  resync(channels: AmiMessage[], now: number): CallEvent[];
  liveLegs(): number;
}

export interface AsteriskSourceOptions {
  ami: AmiConnection;
  tracker: AmiCallTracker;
  /** The signed recording links' route (recording-route.ts), when the relay serves recordings. */
  recordings?: PbxSource['routes'];
  now?: () => number;
  log?: Log;
}

export function createAsteriskSource(o: AsteriskSourceOptions): PbxSource {
  const now = o.now ?? (() => Date.now());
  const log = o.log ?? (() => {});
  let sink: PbxSink | null = null;
  /** Events held while a resync is in flight; null when none is. */
  let held: AmiMessage[] | null = null;
  let resyncs = 0;
  let lastResync: { at: number; channels: number } | null = null;
  const unsubscribe: Array<() => void> = [];

  function apply(message: AmiMessage): void {
    let events: CallEvent[];
    try {
      events = o.tracker.onEvent(message, now());
    } catch (error) {
      // The tracker is written never to throw; if it does, the one event is lost, not the adapter.
      log('asterisk: an AMI event could not be tracked', { event: message.Event, error: String(error) });
      return;
    }
    if (events.length > 0) sink?.publish(events);
  }

  async function resync(): Promise<void> {
    const generation = ++resyncs;
    held = [];
    try {
      const answer = await o.ami.send({ Action: 'CoreShowChannels' });
      if (generation !== resyncs) return;
      if (answer.response.Response !== 'Success') throw new Error(answer.response.Message ?? 'CoreShowChannels refused');
      const events = o.tracker.resync(answer.events, now());
      lastResync = { at: now(), channels: answer.events.length };
      if (events.length > 0) sink?.publish(events);
    } catch (error) {
      // Without the list, live calls are followed from their next events on; said in the log and /health.
      if (generation === resyncs) log('asterisk: resynchronising after the AMI login failed', { error: String(error) });
    } finally {
      if (generation === resyncs) {
        const waiting = held ?? [];
        held = null;
        for (const message of waiting) apply(message);
      }
    }
  }

  return {
    start(given) {
      sink = given;
      unsubscribe.push(
        o.ami.onEvent((message) => {
          if (held === null) return apply(message);
          held.push(message);
          if (held.length < MAX_HELD) return;
          log('asterisk: too many AMI events while resynchronising; the list is skipped', { held: held.length });
          resyncs += 1;
          const waiting = held;
          held = null;
          for (const m of waiting) apply(m);
        }),
        o.ami.onReady(() => {
          void resync();
        }),
      );
      o.ami.start();
    },
    status() {
      const ami = o.ami.status();
      return {
        kind: 'asterisk',
        connected: ami.state === 'connected',
        state: ami.state,
        since: new Date(ami.since).toISOString(),
        ...('reason' in ami ? { reason: ami.reason } : {}),
        live_legs: o.tracker.liveLegs(),
        last_resync: lastResync === null ? null : { at: new Date(lastResync.at).toISOString(), channels: lastResync.channels },
      };
    },
    ...(o.recordings === undefined ? {} : { routes: o.recordings }),
    async stop() {
      for (const off of unsubscribe.splice(0)) off();
      resyncs += 1;
      held = null;
      sink = null;
      await o.ami.stop();
    },
  };
}
