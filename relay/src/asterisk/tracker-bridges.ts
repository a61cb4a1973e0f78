/**
 * Bridges (Asterisk 13+): a leg is answered when one of its channels shares a bridge with a
 * channel that is not part of it (the customer, the colleague); the Local halves reaching a
 * phone, bridged together, are one leg and answer nothing.
 *
 * Transfers. A blind transfer sends the customer's channel back to the dialplan to ring the
 * target: the same channel, the same Linkedid, so the target's leg opens on the customer's
 * call by itself. An attended transfer bridges the customer with the target's channel, which
 * belongs to the consultation call (another Linkedid). Asterisk then gives every channel of the
 * bridge the oldest Linkedid (main/bridge_channel.c, ast_bridge_channel_update_linkedids); the
 * tracker keeps instead the call of the outside party (the one with a trunk channel; the oldest
 * when both or neither have one), so the customer's call stays one call_id: the target's
 * consultation leg ends (answered), and the target gets a leg on the customer's call, answered.
 * https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Events/AttendedTransfer/
 */
import type { AmiMessage } from './ami-types';
import { callerNumber } from './caller-id';
import { answer, attach, closeLeg, openLeg, settleCall } from './tracker-calls';
import type { Out } from './tracker-calls';
import { ensureChannel, leaveBridge } from './tracker-channels';
import { callFor } from './tracker-state';
import type { Channel, TrackerState } from './tracker-state';

/** A bridge bigger than this (a conference) joins no calls: only a transfer's swap is merged. */
const MAX_MERGED_BRIDGE = 3;

export function onBridgeEnter(state: TrackerState, m: AmiMessage, at: number, out: Out): void {
  const chan = ensureChannel(state, m, '', at, out);
  const id = m.BridgeUniqueid ?? '';
  if (!chan || id === '') {
    if (!state.gone.has(m.Uniqueid ?? '')) state.env.log('asterisk tracker: BridgeEnter without Uniqueid/BridgeUniqueid, ignored', { channel: m.Channel });
    return;
  }
  joinBridge(state, chan, id);
  settleBridge(state, id, at, out, m.SwapUniqueid);
}

export function onBridgeLeave(state: TrackerState, m: AmiMessage): void {
  const chan = state.channels.get(m.Uniqueid ?? '');
  if (chan && chan.bridge === m.BridgeUniqueid) leaveBridge(state, chan);
}

export function joinBridge(state: TrackerState, chan: Channel, id: string): void {
  if (chan.bridge === id) return;
  leaveBridge(state, chan);
  chan.bridge = id;
  let members = state.bridges.get(id);
  if (!members) {
    members = new Set();
    state.bridges.set(id, members);
  }
  members.add(chan.uniqueid);
}

/** Joins the calls a bridge connects, then answers the legs it connects to someone else. */
export function settleBridge(state: TrackerState, id: string, at: number, out: Out, swap?: string): void {
  const members = () => [...(state.bridges.get(id) ?? [])]
    .map((uid) => state.channels.get(uid))
    .filter((c): c is Channel => c !== undefined && c.uniqueid !== swap);
  const joined = members();
  const callIds = [...new Set(joined.map((c) => c.callId))];
  if (callIds.length > 1 && joined.length <= MAX_MERGED_BRIDGE) {
    const keep = survivor(state, joined, callIds);
    for (const chan of joined) if (chan.callId !== keep) moveToCall(state, chan, keep, joined, at, out);
  }
  const now = members();
  for (const chan of now) {
    const key = chan.leg;
    if (key !== undefined && now.some((other) => other.leg !== key)) answer(state, key, at, out);
  }
}

function survivor(state: TrackerState, joined: Channel[], callIds: string[]): string {
  const outside = callIds.filter((id) => joined.some((c) => c.callId === id && c.identity.kind === 'trunk'));
  const [only] = outside;
  if (only !== undefined && outside.length === 1) return only;
  const candidates = (outside.length > 1 ? outside : callIds).map((id) => callFor(state, id, 0));
  candidates.sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq);
  return candidates[0]?.id ?? callIds[0] ?? '';
}

function moveToCall(state: TrackerState, chan: Channel, callId: string, joined: Channel[], at: number, out: Out): void {
  const from = chan.callId;
  state.calls.get(from)?.channels.delete(chan.uniqueid);
  chan.callId = callId;
  callFor(state, callId, at).channels.add(chan.uniqueid);
  chan.far = undefined;
  const oldKey = chan.leg;
  // An extension's channel joining the customer's call gets a leg there, whether it had one on
  // its own call (the transfer target) or none (a phone that picked the call up with *8).
  if (chan.identity.kind === 'extension') {
    if (oldKey !== undefined) {
      state.members.get(oldKey)?.delete(chan.uniqueid);
      chan.leg = undefined;
      if ((state.members.get(oldKey)?.size ?? 0) === 0) closeLeg(state, oldKey, at, out);
    }
    const peer = joined.find((c) => c !== chan && c.identity.kind === 'trunk')
      ?? joined.find((c) => c !== chan && c.identity.kind === 'extension' && c.identity.extension !== extensionOf(chan))
      ?? joined.find((c) => c !== chan);
    const phone = !peer ? '' : peer.identity.kind === 'extension' ? peer.identity.extension : callerNumber(peer.callerNum);
    const key = openLeg(state, {
      callId, extension: chan.identity.extension, direction: peer?.side === 'callee' ? 'outbound' : 'inbound', phone,
    }, at, out);
    if (key !== undefined) attach(state, chan, key);
  }
  settleCall(state, from, at, out);
}

function extensionOf(chan: Channel): string | undefined {
  return chan.identity.kind === 'extension' ? chan.identity.extension : undefined;
}
