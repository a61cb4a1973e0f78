/**
 * Channels coming and going: Newchannel (or the first event that shows one), the snapshot fields
 * every channel event repeats (caller ID, exten, state), and Hangup. Asterisk 13+ events:
 * https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Events/Newchannel/
 */
import type { AmiMessage } from './ami-types';
import { channelIdentity } from './channels';
import { attach, hint, openLeg, ring, settleCall, settleLeg } from './tracker-calls';
import type { Out } from './tracker-calls';
import { callFor, remember } from './tracker-state';
import type { Channel, EndHint, Side, TrackerState } from './tracker-state';

const MAX_CALL_ID_CHARS = 128;
export const RINGING = 5;

/** The channel an event describes (fields prefixed `Dest` for a Dial's callee), created if new. */
export function ensureChannel(state: TrackerState, m: AmiMessage, prefix: '' | 'Dest', at: number, out: Out): Channel | undefined {
  const uniqueid = m[`${prefix}Uniqueid`] ?? '';
  const name = m[`${prefix}Channel`] ?? '';
  if (uniqueid === '' || state.gone.has(uniqueid)) return undefined;
  let chan = state.channels.get(uniqueid);
  if (!chan) {
    if (name === '') return undefined;
    chan = createChannel(state, uniqueid, name, m[`${prefix}Linkedid`], at, out);
  }
  const caller = m[`${prefix}CallerIDNum`];
  if (caller !== undefined) chan.callerNum = caller;
  const connected = m[`${prefix}ConnectedLineNum`];
  if (connected !== undefined) chan.connectedNum = connected;
  const exten = m[`${prefix}Exten`] ?? '';
  if (chan.dialled === '' && exten !== '' && exten !== 's') chan.dialled = exten;
  const st = Number(m[`${prefix}ChannelState`]);
  if (m[`${prefix}ChannelState`] !== undefined && Number.isInteger(st)) chan.state = st;
  return chan;
}

function createChannel(state: TrackerState, uniqueid: string, name: string, linkedid: string | undefined, at: number, out: Out): Channel {
  const identity = channelIdentity(name, state.env.naming);
  const expected = state.expected.get(uniqueid);
  const callId = (expected ? uniqueid : linkedid || uniqueid).slice(0, MAX_CALL_ID_CHARS);
  const chan: Channel = { uniqueid, name, identity, callId, side: expected ? 'originated' : 'caller', callerNum: '', connectedNum: '', dialled: '', state: 0 };
  state.channels.set(uniqueid, chan);
  state.byName.set(name, uniqueid);
  callFor(state, callId, at).channels.add(uniqueid);
  if (expected) {
    // Click-to-call (docs/originate.md section 3): the first channel is the employee's own
    // phone; the call is one outbound call to the number asked for, never an inbound one.
    state.expected.delete(uniqueid);
    const key = openLeg(state, { callId, extension: expected.extension, direction: 'outbound', phone: expected.number }, at, out);
    if (key !== undefined) attach(state, chan, key);
  }
  const sibling = localSibling(state, chan);
  if (sibling) {
    chan.side = sibling.side;
    if (sibling.leg !== undefined && (identity.kind !== 'extension' || state.legs.get(sibling.leg)?.extension === identity.extension)) attach(state, chan, sibling.leg);
  }
  while (state.channels.size > state.env.limits.maxLive) {
    const oldest = state.channels.values().next().value as Channel;
    state.env.log('asterisk tracker: too many live channels, the oldest forgotten', { limit: state.env.limits.maxLive, channel: oldest.name });
    hangupChannel(state, oldest, at, out, { expired: true });
  }
  return chan;
}

/** The other half of a Local channel pair (;1 <-> ;2), when known. */
export function localSibling(state: TrackerState, chan: Channel): Channel | undefined {
  const local = chan.identity.local;
  if (!local) return undefined;
  const id = state.byName.get(`${local.base};${local.half === 1 ? 2 : 1}`);
  return id === undefined ? undefined : state.channels.get(id);
}

/** Sets how a channel came to be, for both halves of a Local pair. */
export function markSide(state: TrackerState, chan: Channel, side: Side): void {
  chan.side = side;
  const sibling = localSibling(state, chan);
  if (sibling) sibling.side = side;
}

/** ISDN causes (Hangup's Cause) that tell why a leg was not answered, when Dial did not say. */
function causeHint(cause: string | undefined): EndHint | undefined {
  switch (cause) {
    case '17': return 'busy';
    case '26': return 'answered_elsewhere';
    case '1': case '3': case '27': case '28': case '34': case '38': case '41': case '42': case '44': case '47': case '58': case '88':
      return 'failed';
    default: return undefined;
  }
}

export function hangupChannel(state: TrackerState, chan: Channel, at: number, out: Out, how: { expired?: boolean; cause?: string } = {}): void {
  if (chan.bridge !== undefined) leaveBridge(state, chan);
  state.channels.delete(chan.uniqueid);
  if (state.byName.get(chan.name) === chan.uniqueid) state.byName.delete(chan.name);
  remember(state.gone, chan.uniqueid, at, state.env.limits.maxEnded);
  state.calls.get(chan.callId)?.channels.delete(chan.uniqueid);
  const key = chan.leg;
  if (key !== undefined) {
    state.members.get(key)?.delete(chan.uniqueid);
    hint(state, key, causeHint(how.cause), true);
    settleLeg(state, key, at, out, how.expired);
  }
  settleCall(state, chan.callId, at, out, how.expired);
}

export function leaveBridge(state: TrackerState, chan: Channel): void {
  const id = chan.bridge;
  chan.bridge = undefined;
  if (id === undefined) return;
  const members = state.bridges.get(id);
  members?.delete(chan.uniqueid);
  if (members && members.size === 0) state.bridges.delete(id);
}

export function onNewstate(state: TrackerState, m: AmiMessage, at: number, out: Out): void {
  const chan = ensureChannel(state, m, '', at, out);
  if (chan?.state === RINGING) ring(state, chan.leg, at, out);
}

export function onHangup(state: TrackerState, m: AmiMessage, at: number, out: Out): void {
  const uniqueid = m.Uniqueid ?? '';
  const chan = state.channels.get(uniqueid);
  if (chan) hangupChannel(state, chan, at, out, { cause: m.Cause });
  else if (!state.gone.has(uniqueid)) state.env.log('asterisk tracker: Hangup for a channel never seen, ignored', { channel: m.Channel, uniqueid });
}
