/**
 * After a (re)connect, CoreShowChannels lists the channels alive now: the tracker rebuilds its
 * legs from it. https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Actions/CoreShowChannels/
 * - A channel it holds and Asterisk still has: kept; its leg moves on if it did meanwhile
 *   (rang, got bridged); nothing is repeated.
 * - A channel it does not know: taken in. Application tells its side: AppDial / AppQueue, a
 *   phone being rung (an inbound leg, phone = its ConnectedLineNum); AppDial2, a phone Originate
 *   rings (no leg until it dials out); any other, a channel that called (an outbound leg when it
 *   is dialling or bridged, phone = its exten). Talk time of a leg found answered counts from now.
 * - A channel it holds and Asterisk has not: it hung up while the tracker was not listening. Its
 *   leg ends `expired` (docs/call-feed-protocol.md "Expiry": the end's time and outcome are not
 *   known; result `answered` if it was answered, else `missed`; no duration), as the relay
 *   itself ends a leg whose end never came.
 */
import type { AmiMessage } from './ami-types';
import { callerNumber, dialledNumber } from './caller-id';
import { attach, openLeg, ring } from './tracker-calls';
import type { Out } from './tracker-calls';
import { joinBridge, settleBridge } from './tracker-bridges';
import { ensureChannel, hangupChannel, leaveBridge, localSibling, RINGING } from './tracker-channels';
import type { Channel, Side, TrackerState } from './tracker-state';

const RUNG = new Set(['AppDial', 'AppQueue']);
const DIALLING = new Set(['Dial', 'Queue', 'Followme', 'Page']);

/** CoreShowChannel's Duration, HH:MM:SS (or seconds), in ms. */
function durationMs(raw: string | undefined): number {
  const parts = (raw ?? '').split(':').map(Number);
  if (parts.length === 0 || parts.some((p) => !Number.isFinite(p) || p < 0)) return 0;
  return parts.reduce((total, p) => total * 60 + p, 0) * 1000;
}

function sideOf(m: AmiMessage): Side {
  if (RUNG.has(m.Application ?? '')) return 'callee';
  return m.Application === 'AppDial2' ? 'originated' : 'caller';
}

export function resyncChannels(state: TrackerState, list: readonly AmiMessage[], now: number, out: Out): void {
  const listed = new Map<string, AmiMessage>();
  for (const m of list) {
    if ((m.Uniqueid ?? '') === '' || (m.Channel ?? '') === '') state.env.log('asterisk tracker: CoreShowChannel without Uniqueid/Channel, ignored', { channel: m.Channel });
    else listed.set(m.Uniqueid ?? '', m);
  }
  const fresh: Array<[Channel, AmiMessage]> = [];
  for (const [uniqueid, m] of listed) {
    const known = state.channels.has(uniqueid);
    const chan = ensureChannel(state, m, '', now - durationMs(m.Duration), out);
    if (chan && !known) {
      chan.side = sideOf(m);
      fresh.push([chan, m]);
    }
  }
  for (const [chan] of fresh) {
    const sibling = localSibling(state, chan);
    if (sibling && chan.identity.local?.half === 2) chan.side = sibling.side;
  }
  // Rung phones first: a Local half reaching the same extension then joins their inbound leg.
  fresh.sort(([a], [b]) => Number(b.side === 'callee') - Number(a.side === 'callee'));
  for (const [chan, m] of fresh) if (chan.leg === undefined) legFor(state, chan, m, now, out);

  for (const chan of [...state.channels.values()]) {
    if (!listed.has(chan.uniqueid)) hangupChannel(state, chan, now, out, { expired: true });
  }
  const bridges = new Set<string>();
  for (const [uniqueid, m] of listed) {
    const chan = state.channels.get(uniqueid);
    if (!chan) continue;
    const id = m.BridgeId ?? '';
    if (id === '') leaveBridge(state, chan);
    else {
      joinBridge(state, chan, id);
      bridges.add(id);
    }
  }
  for (const id of bridges) settleBridge(state, id, now, out);
  for (const [uniqueid] of listed) {
    const chan = state.channels.get(uniqueid);
    if (chan?.state === RINGING) ring(state, chan.leg, now, out);
  }
}

function legFor(state: TrackerState, chan: Channel, m: AmiMessage, now: number, out: Out): void {
  if (chan.identity.kind !== 'extension' || chan.side === 'originated') return;
  const extension = chan.identity.extension;
  if (chan.side === 'callee') {
    const key = openLeg(state, { callId: chan.callId, extension, direction: 'inbound', phone: callerNumber(m.ConnectedLineNum) }, now, out);
    if (key !== undefined) attach(state, chan, key);
    return;
  }
  if (!DIALLING.has(m.Application ?? '') && (m.BridgeId ?? '') === '') return;
  const phone = dialledNumber(chan.dialled || m.Exten, m.Application === 'Dial' ? m.ApplicationData : undefined);
  const key = openLeg(state, { callId: chan.callId, extension, direction: 'outbound', phone }, now, out);
  if (key === undefined) return;
  attach(state, chan, key);
  ring(state, key, now, out);
}
