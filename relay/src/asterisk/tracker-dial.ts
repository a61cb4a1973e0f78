/**
 * Dial's events (app_dial, app_queue, Originate): who rings whom. DialBegin opens the legs:
 * - the callee is an extension: an inbound leg of it (phone: the caller's number, or the
 *   calling extension for an internal call), or the same leg when the caller is a Local half or
 *   the employee's own originated phone reaching that extension;
 * - the caller is an extension that called (not one that was rung): its outbound leg, phone =
 *   the number it dialled, ringing from now on; the callee is that leg's far end.
 * DialBegin without a caller is Originate ringing a phone: that phone starts a call, it is
 * not called. https://docs.asterisk.org/Latest_API/API_Documentation/AMI_Events/DialBegin/
 */
import type { AmiMessage } from './ami-types';
import { callerNumber, dialledNumber } from './caller-id';
import { attach, hint, openLeg, ring } from './tracker-calls';
import type { Out } from './tracker-calls';
import { ensureChannel, localSibling, markSide } from './tracker-channels';
import type { Channel, EndHint, TrackerState } from './tracker-state';

export function onDialBegin(state: TrackerState, m: AmiMessage, at: number, out: Out): void {
  const dest = ensureChannel(state, m, 'Dest', at, out);
  if (!dest) {
    // A channel that already hung up is no news; one without its fields is worth a line.
    if (!state.gone.has(m.DestUniqueid ?? '')) state.env.log('asterisk tracker: DialBegin without DestUniqueid/DestChannel, ignored', { channel: m.Channel });
    return;
  }
  if ((m.Uniqueid ?? '') === '') {
    if (dest.side === 'caller') markSide(state, dest, 'originated');
    return;
  }
  const source = ensureChannel(state, m, '', at, out);
  if (!source) return;
  if (dest.side === 'caller') markSide(state, dest, 'callee');
  const sourceExt = source.identity.kind === 'extension' ? source.identity.extension : undefined;
  const destExt = dest.identity.kind === 'extension' ? dest.identity.extension : undefined;
  // A Local half that dials its own extension's phone (`Local/102@from-internal;2` -> SIP/102:
  // an AMI Atxfer, a follow-me) is the road to that phone, not 102 calling out.
  const routeToDest = source.identity.local !== undefined && sourceExt !== undefined && sourceExt === destExt;
  const calling = sourceExt !== undefined && source.side !== 'callee' && !routeToDest;
  const sourceLeg = source.leg === undefined ? undefined : state.legs.get(source.leg);

  let outbound: string | undefined;
  if (calling) {
    outbound = sourceLeg?.key ?? openLeg(state, {
      callId: source.callId, extension: sourceExt, direction: 'outbound', phone: dialledNumber(source.dialled || m.Exten, m.DialString),
    }, at, out);
    if (outbound !== undefined) attach(state, source, outbound);
  }
  if (destExt !== undefined && sourceLeg?.extension === destExt) {
    attachPair(state, dest, sourceLeg.key);
  } else if (destExt !== undefined) {
    const phone = calling ? sourceExt : callerNumber(m.CallerIDNum ?? source.callerNum);
    const key = openLeg(state, { callId: dest.callId, extension: destExt, direction: 'inbound', phone }, at, out);
    if (key !== undefined) attachPair(state, dest, key);
  } else if (sourceLeg?.direction === 'inbound') {
    // Follow-me to a mobile: the trunk channel rings this employee's leg.
    attachPair(state, dest, sourceLeg.key);
  }
  if (outbound !== undefined && dest.leg !== outbound) dest.far = outbound;
  ring(state, outbound, at, out);
}

function attachPair(state: TrackerState, chan: Channel, key: string): void {
  attach(state, chan, key);
  const sibling = localSibling(state, chan);
  if (sibling && sibling.leg === undefined) attach(state, sibling, key);
}

export function onDialState(state: TrackerState, m: AmiMessage, at: number, out: Out): void {
  if (m.DialStatus !== 'RINGING') return;
  const dest = ensureChannel(state, m, 'Dest', at, out);
  if (dest) ring(state, dest.leg, at, out);
}

/** DialStatus values: https://docs.asterisk.org/Latest_API/API_Documentation/Dialplan_Applications/Dial/ */
function dialHint(status: string | undefined): EndHint | undefined {
  switch (status) {
    case 'BUSY': return 'busy';
    case 'CONGESTION': case 'CHANUNAVAIL': case 'INVALIDARGS': case 'DONTCALL': case 'TORTURE': return 'failed';
    case 'NOANSWER': return 'missed';
    default: return undefined;
  }
}

export function onDialEnd(state: TrackerState, m: AmiMessage): void {
  const dest = state.channels.get(m.DestUniqueid ?? '');
  if (!dest) return;
  const value = dialHint(m.DialStatus);
  hint(state, dest.leg, value);
  if (dest.far !== undefined && dest.far !== dest.leg) hint(state, dest.far, value);
}
