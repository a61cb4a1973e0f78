/** Bad or odd input never throws out of the tracker: a log line where useful, no events. Memory is bounded. */
import type { AmiMessage } from '../../../relay/src/asterisk/ami-types';
import { createCallTracker } from '../../../relay/src/asterisk/call-tracker';
import { brief, loadFixture, replay, T0 } from './call-tracker-replay';

function logged() {
  const lines: string[] = [];
  return { lines, log: (m: string) => lines.push(m) };
}

/** A trunk call ringing extension `ext`: Newchannel of both, DialBegin, the phone ringing. */
function ringing(n: number, ext = '101', caller: Record<string, string> = { CallerIDNum: '+14155550100' }): AmiMessage[] {
  const a = `1800001000.${n * 2}`;
  const b = `1800001000.${n * 2 + 1}`;
  const trunk = { Channel: `SIP/pstn-${n.toString(16).padStart(8, '0')}`, Uniqueid: a, Linkedid: a, ChannelState: '4', Exten: '5550100', ...caller };
  const phone = { Channel: `SIP/${ext}-${(n + 0x8000).toString(16).padStart(8, '0')}`, Uniqueid: b, Linkedid: a, ChannelState: '0', CallerIDNum: ext };
  const dest = Object.fromEntries(Object.entries(phone).map(([k, v]) => [`Dest${k}`, v]));
  return [
    { Event: 'Newchannel', ...trunk },
    { Event: 'Newchannel', ...phone },
    { Event: 'DialBegin', ...trunk, ...dest, DialString: ext },
    { Event: 'Newstate', ...phone, ChannelState: '5', ChannelStateDesc: 'Ringing' },
  ];
}

test('unknown events, events without Event and responses are ignored silently', () => {
  const { lines, log } = logged();
  const t = createCallTracker({ log });
  expect(t.onEvent({ Event: 'PeerStatus', Peer: 'SIP/101', PeerStatus: 'Reachable' }, T0)).toEqual([]);
  expect(t.onEvent({ Response: 'Success', ActionID: '1' }, T0)).toEqual([]);
  expect(t.onEvent({}, T0)).toEqual([]);
  expect(lines).toEqual([]);
});

test('missing Uniqueid: nothing tracked, a DialBegin without its callee is logged', () => {
  const { lines, log } = logged();
  const t = createCallTracker({ log });
  expect(t.onEvent({ Event: 'Newchannel', Channel: 'SIP/101-00000001' }, T0)).toEqual([]);
  expect(t.onEvent({ Event: 'Newstate', Channel: 'SIP/101-00000001', ChannelState: '5' }, T0)).toEqual([]);
  expect(t.onEvent({ Event: 'DialBegin', Channel: 'SIP/pstn-00000001', Uniqueid: '1.1', DestChannel: 'SIP/101-00000001' }, T0)).toEqual([]);
  expect(t.onEvent({ Event: 'BridgeEnter', Channel: 'SIP/101-00000001', Uniqueid: '1.2' }, T0)).toEqual([]);
  expect(t.liveLegs()).toBe(0);
  expect(lines).toEqual([
    'asterisk tracker: DialBegin without DestUniqueid/DestChannel, ignored',
    'asterisk tracker: BridgeEnter without Uniqueid/BridgeUniqueid, ignored',
  ]);
});

test('a Hangup for a channel never seen: logged, nothing sent', () => {
  const { lines, log } = logged();
  const t = createCallTracker({ log });
  expect(t.onEvent({ Event: 'Hangup', Channel: 'SIP/101-00000009', Uniqueid: '9.9', Linkedid: '9.9', Cause: '16' }, T0)).toEqual([]);
  expect(lines).toEqual(['asterisk tracker: Hangup for a channel never seen, ignored']);
});

test('a caller without caller ID (no CallerIDNum field, or <unknown>): phone ""', () => {
  const callers: Array<Record<string, string>> = [{}, { CallerIDNum: '<unknown>' }, { CallerIDNum: 'restricted' }];
  for (const caller of callers) {
    const t = createCallTracker();
    const events = ringing(1, '101', caller).flatMap((m) => t.onEvent(m, T0 + 5));
    expect(brief(events)).toEqual(['101 ringing inbound "" - - @5']);
  }
});

test('a message whose fields throw when read: logged, the tracker carries on', () => {
  const { lines, log } = logged();
  const t = createCallTracker({ log });
  const hostile = new Proxy({}, { get: (_, key) => { if (key === 'Event') return 'Newchannel'; throw new Error('boom'); } }) as AmiMessage;
  expect(() => t.onEvent(hostile, T0)).not.toThrow();
  expect(lines).toEqual(['asterisk tracker: an event could not be applied, skipped']);
  expect(brief(ringing(2).flatMap((m) => t.onEvent(m, T0)))).toEqual(['101 ringing inbound "+14155550100" - - @0']);
});

test('a recordingUrl that throws or answers a non-http URL: the call ends without recording_url, logged', () => {
  const { lines, log } = logged();
  const { steps } = loadFixture('direct-answered');
  const throwing = createCallTracker({ log, recordingUrl: () => { throw new Error('no dir'); } });
  expect(replay(throwing, steps).map((e) => e.recordingUrl)).toEqual([undefined, undefined, undefined]);
  expect(lines).toEqual(['asterisk tracker: recordingUrl failed, the call ends without a recording']);
  const ftp = createCallTracker({ recordingUrl: () => 'ftp://pbx/x.wav' });
  expect(replay(ftp, steps).map((e) => e.recordingUrl)).toEqual([undefined, undefined, undefined]);
});

test('a Timestamp field (timestampevents=yes) is the event\'s time; without it, now', () => {
  const t = createCallTracker();
  const [trunk, phone, dial, ring] = ringing(3);
  for (const m of [trunk, phone, dial]) if (m) t.onEvent(m, T0);
  const events = t.onEvent({ ...ring, Timestamp: '1796174001.250000' }, T0 + 99_000);
  expect(events.map((e) => e.at)).toEqual([1_796_174_001_250]);
});

test('trunks listed in the config are trunks even when digit-like', () => {
  const t = createCallTracker({ trunks: ['5550'] });
  const msgs = ringing(4).map((m) => JSON.parse(JSON.stringify(m).replace(/SIP\/101-/g, 'SIP/5550-')) as AmiMessage);
  expect(msgs.flatMap((m) => t.onEvent(m, T0))).toEqual([]);
});

test('at most maxLive legs are held: the oldest live one ends expired to make room', () => {
  const t = createCallTracker({ limits: { maxLive: 8 } });
  const events = Array.from({ length: 6 }, (_, n) => ringing(n + 10, String(100 + n))).flat().flatMap((m) => t.onEvent(m, T0));
  // 12 channels for 8 places: the oldest channels are dropped, their legs end expired.
  expect(t.liveLegs()).toBeLessThanOrEqual(8);
  expect(events.filter((e) => e.state === 'ended').every((e) => e.expired === true && e.result === 'missed')).toBe(true);
  expect(events.filter((e) => e.state === 'ended').length).toBeGreaterThan(0);
});

test('a late Hangup after the call is over, even far beyond, does nothing', () => {
  const t = createCallTracker();
  const { steps } = loadFixture('ring-group');
  replay(t, steps);
  const hangups = steps.filter((s) => s.message?.Event === 'Hangup' || s.message?.Event === 'DialEnd');
  expect(replay(t, hangups.map((s) => ({ ...s, t: s.t + 3_600_000 })))).toEqual([]);
});

test('expectOriginate without an id is logged and ignored', () => {
  const { lines, log } = logged();
  const t = createCallTracker({ log });
  t.expectOriginate({ id: '', extension: '101', number: '1' });
  expect(lines).toEqual(['asterisk tracker: expectOriginate without id or extension, ignored']);
});

test('an originate that fails before any channel exists ends the click-to-call failed', () => {
  const t = createCallTracker();
  t.expectOriginate({ id: 'c2c-9', extension: '101', number: '+74951234567' });
  const events = t.onEvent({ Event: 'OriginateResponse', Response: 'Failure', Uniqueid: 'c2c-9', Reason: '0' }, T0 + 7);
  expect(brief(events)).toEqual(['101 ended outbound "+74951234567" failed 0 @7']);
  expect(events[0]?.callId).toBe('c2c-9');
});
