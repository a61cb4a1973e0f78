/**
 * The Asterisk adapter's pure core: AMI events in, call feed events out (docs/asterisk.md).
 * No I/O and no clock: the shell passes `now` with each event (an event's own `Timestamp:`,
 * sent when manager.conf has `timestampevents = yes`, wins), so tests replay captures exactly.
 *
 * call_id is the call's Linkedid, which Asterisk gives every channel of a call (the first
 * channel's Uniqueid); for click-to-call it is the originate's id (Originate's ChannelId).
 * Legs: one per call and extension (docs/call-feed-protocol.md "Version 2"). How the legs move
 * is in tracker-dial.ts (who rings whom), tracker-bridges.ts (answered, transfers),
 * tracker-calls.ts (when a leg ends) and tracker-resync.ts (after a reconnect).
 */
import type { CallEvent } from '../../../src/protocol';
import type { AmiMessage, Log } from './ami-types';
import { DEFAULT_EXTENSION_PATTERN } from './channels';
import { onBridgeEnter, onBridgeLeave } from './tracker-bridges';
import { closeLeg, hint, openLeg, settleCall } from './tracker-calls';
import type { Out } from './tracker-calls';
import { ensureChannel, onHangup, onNewstate } from './tracker-channels';
import { onDialBegin, onDialEnd, onDialState } from './tracker-dial';
import { onCdr, onNewexten, onVarSet } from './tracker-recording';
import { resyncChannels } from './tracker-resync';
import { createTrackerState, remember } from './tracker-state';
import type { TrackerLimits, TrackerState } from './tracker-state';

export interface TrackerConfig {
  /** A peer name (or a Local's exten) that is an extension; default /^[0-9]{2,6}$/. */
  extensionPattern?: RegExp;
  /** Peer names that are trunks even if they look like an extension. */
  trunks?: string[];
  /** The recording_url for a recording file (MIXMONITOR_FILENAME / CDR(recordingfile)). */
  recordingUrl?: (file: string, callId: string) => string | undefined;
  log?: Log;
  limits?: Partial<TrackerLimits>;
}

export interface CallTracker {
  /** The feed events an AMI event causes, in order; never throws. */
  onEvent(m: AmiMessage, now: number): CallEvent[];
  /** CoreShowChannel events after a (re)connect: rebuilds the live legs (tracker-resync.ts). */
  resync(channels: AmiMessage[], now: number): CallEvent[];
  /** Click-to-call: the channel whose Uniqueid is `id` starts ONE outbound call of `extension` to `number`. */
  expectOriginate(o: { id: string; extension: string; number: string }): void;
  liveLegs(): number;
}

type Handler = (state: TrackerState, m: AmiMessage, at: number, out: Out) => void;

const snapshotOnly: Handler = (state, m, at, out) => { ensureChannel(state, m, '', at, out); };

const HANDLERS: Readonly<Record<string, Handler>> = {
  Newchannel: snapshotOnly,
  NewCallerid: snapshotOnly,
  NewConnectedLine: snapshotOnly,
  Newstate: onNewstate,
  Newexten: onNewexten,
  VarSet: onVarSet,
  DialBegin: onDialBegin,
  DialState: onDialState,
  DialEnd: (state, m) => onDialEnd(state, m),
  BridgeEnter: onBridgeEnter,
  BridgeLeave: (state, m) => onBridgeLeave(state, m),
  Hangup: onHangup,
  Cdr: (state, m) => onCdr(state, m),
  OriginateResponse: onOriginateResponse,
};

/** Originate failed before any channel existed: the click-to-call ends `failed` (docs/originate.md 3). */
function onOriginateResponse(state: TrackerState, m: AmiMessage, at: number, out: Out): void {
  const id = m.Uniqueid ?? '';
  const expected = state.expected.get(id);
  if (m.Response !== 'Failure' || !expected || state.channels.has(id)) return;
  state.expected.delete(id);
  const key = openLeg(state, { callId: id, extension: expected.extension, direction: 'outbound', phone: expected.number }, at, out);
  if (key === undefined) return;
  hint(state, key, 'failed');
  closeLeg(state, key, at, out);
  settleCall(state, id, at, out);
}

/** `Timestamp: 1796174349.123456` (seconds) when timestampevents=yes, else the shell's now. */
function eventTime(m: AmiMessage, now: number): number {
  const stamp = Number(m.Timestamp);
  return m.Timestamp !== undefined && Number.isFinite(stamp) && stamp > 0 ? Math.round(stamp * 1000) : now;
}

export function createCallTracker(config: TrackerConfig = {}): CallTracker {
  const log: Log = config.log ?? (() => undefined);
  const state = createTrackerState({
    naming: { extensionPattern: config.extensionPattern ?? DEFAULT_EXTENSION_PATTERN, trunks: new Set(config.trunks ?? []) },
    recordingUrl: config.recordingUrl ?? (() => undefined),
    log,
    limits: { maxLive: 20_000, maxEnded: 20_000, maxExpected: 1_000, ...config.limits },
  });
  const guarded = (what: string, run: (out: Out) => void): CallEvent[] => {
    const out: Out = [];
    try {
      run(out);
    } catch (cause) {
      log('asterisk tracker: an event could not be applied, skipped', { what, cause: cause instanceof Error ? cause.message : String(cause) });
    }
    return out;
  };
  return {
    onEvent: (m, now) => guarded(m.Event ?? 'message', (out) => {
      const handler = m.Event === undefined ? undefined : HANDLERS[m.Event];
      if (handler) handler(state, m, eventTime(m, now), out);
    }),
    resync: (channels, now) => guarded('resync', (out) => resyncChannels(state, channels, now, out)),
    expectOriginate: (o) => {
      if (o.id === '' || o.extension === '') log('asterisk tracker: expectOriginate without id or extension, ignored', { id: o.id });
      else remember(state.expected, o.id, { extension: o.extension, number: o.number }, state.env.limits.maxExpected);
    },
    liveLegs: () => state.legs.size,
  };
}
