/**
 * Hand-written fixtures (test/fixtures/asterisk/hand-*.jsonl, event shapes from Asterisk 20's
 * sources) for the flows the captures lack.
 */
import { createCallTracker } from '../../../relay/src/asterisk/call-tracker';
import { brief, loadFixture, replay } from './call-tracker-replay';

function run(name: string, originate?: { id: string; extension: string; number: string }) {
  const tracker = createCallTracker();
  if (originate) tracker.expectOriginate(originate);
  const events = replay(tracker, loadFixture(name).steps);
  return { lines: brief(events), callIds: [...new Set(events.map((e) => e.callId))], live: tracker.liveLegs() };
}

test('attended transfer: 102 moves onto the customer\'s call (answered), its consultation leg ends', () => {
  const { lines, callIds, live } = run('hand-attended-transfer');
  expect(lines).toEqual([
    '101 ringing inbound "+442071234567" - - @10',
    '101 answered inbound "+442071234567" - - @2010',
    '101 ringing outbound "102" - - @5005',
    '102 ringing inbound "101" - - @5010',
    '102 answered inbound "101" - - @7010',
    '101 answered outbound "102" - - @7010',
    '102 ended inbound "101" answered 2 @9000',
    '102 answered inbound "+442071234567" - - @9000',
    '101 ended inbound "+442071234567" answered 7 @9000',
    '101 ended outbound "102" answered 2 @9001',
    '102 ended inbound "+442071234567" answered 6 @15000',
  ]);
  // The customer's call keeps its id; the consultation is a separate internal call.
  expect(callIds).toEqual(['1800000000.1', '1800000010.3']);
  expect(live).toBe(0);
});

test('hunt group: 101 rings out, 102 answers: 101 ends answered_elsewhere, not missed', () => {
  expect(run('hand-hunt-group').lines).toEqual([
    '101 ringing inbound "+14155550123" - - @6',
    '102 ringing inbound "+14155550123" - - @15015',
    '102 answered inbound "+14155550123" - - @18015',
    '101 ended inbound "+14155550123" answered_elsewhere 0 @18015',
    '102 ended inbound "+14155550123" answered 4 @22015',
  ]);
});

test('ring group (PJSIP) nobody answers: every leg ends missed', () => {
  expect(run('hand-ring-group-noanswer').lines).toEqual([
    '101 ringing inbound "84951234567" - - @4',
    '102 ringing inbound "84951234567" - - @4',
    '101 ended inbound "84951234567" missed 0 @8000',
    '102 ended inbound "84951234567" missed 0 @8000',
  ]);
});

test('queue with Local members (IAX2 and SIP phones behind them): one leg per extension', () => {
  expect(run('hand-queue-local').lines).toEqual([
    '101 ringing inbound "+14155550199" - - @12',
    '102 ringing inbound "+14155550199" - - @12',
    '102 answered inbound "+14155550199" - - @2012',
    '101 ended inbound "+14155550199" answered_elsewhere 0 @2012',
    '102 ended inbound "+14155550199" answered 5 @7012',
  ]);
});

test('withheld caller (anonymous): phone ""', () => {
  expect(run('hand-withheld').lines).toEqual([
    '101 ringing inbound "" - - @4',
    '101 answered inbound "" - - @1004',
    '101 ended inbound "" answered 3 @4004',
  ]);
});

test('outbound, the carrier answers CONGESTION: failed', () => {
  expect(run('hand-outbound-congestion').lines).toEqual([
    '101 ringing outbound "84951234567" - - @3',
    '101 ended outbound "84951234567" failed 0 @1010',
  ]);
});

test('inbound to an unregistered phone (CHANUNAVAIL): failed, when the call is over', () => {
  expect(run('hand-chanunavail').lines).toEqual(['104 ended inbound "+14155550777" failed 0 @3003']);
});

test('click-to-call, the employee does not pick up: ringing then missed, never inbound', () => {
  const { lines, callIds } = run('hand-click-to-call-noanswer', { id: '0b6f2d1e-4c1a-4f7e-9a53-2f0d8c4b7e11', extension: '101', number: '+74951234567' });
  expect(lines).toEqual([
    '101 ringing outbound "+74951234567" - - @5',
    '101 ended outbound "+74951234567" missed 0 @30002',
  ]);
  expect(callIds).toEqual(['0b6f2d1e-4c1a-4f7e-9a53-2f0d8c4b7e11']);
});

test('click-to-call, the customer is busy: ended busy', () => {
  expect(run('hand-click-to-call-busy', { id: 'c2c-busy-1', extension: '101', number: '84951234567' }).lines).toEqual([
    '101 ringing outbound "84951234567" - - @5',
    '101 ended outbound "84951234567" busy 0 @3015',
  ]);
});

test('click-to-call without the announcement: the own phone\'s ringing is no inbound call', () => {
  const { lines } = run('hand-click-to-call-noanswer');
  expect(lines).toEqual([]);
});

test('call pickup (*8): the picking phone\'s own call joins the customer\'s; the rung phone ends answered_elsewhere', () => {
  const t = createCallTracker();
  const trunk = { Channel: 'SIP/pstn-00000070', Uniqueid: '1800000800.1', Linkedid: '1800000800.1', CallerIDNum: '+14155550111', ChannelState: '4' };
  const rung = { Channel: 'SIP/101-00000071', Uniqueid: '1800000800.2', Linkedid: '1800000800.1', CallerIDNum: '101', ChannelState: '0' };
  const picker = { Channel: 'SIP/103-00000072', Uniqueid: '1800000805.3', Linkedid: '1800000805.3', CallerIDNum: '103', ChannelState: '4', Exten: '*8' };
  const dest = Object.fromEntries(Object.entries(rung).map(([k, v]) => [`Dest${k}`, v]));
  const at = (ms: number) => 1_796_174_000_000 + ms;
  const events = [
    t.onEvent({ Event: 'Newchannel', ...trunk }, at(0)),
    t.onEvent({ Event: 'Newchannel', ...rung }, at(1)),
    t.onEvent({ Event: 'DialBegin', ...trunk, ...dest, DialString: '101' }, at(1)),
    t.onEvent({ Event: 'Newstate', ...rung, ChannelState: '5' }, at(2)),
    t.onEvent({ Event: 'Newchannel', ...picker }, at(4000)),
    t.onEvent({ Event: 'Pickup', ...picker }, at(4500)),
    t.onEvent({ Event: 'Hangup', ...rung, Cause: '26' }, at(4500)),
    t.onEvent({ Event: 'BridgeEnter', ...picker, ChannelState: '6', BridgeUniqueid: 'p1' }, at(4501)),
    t.onEvent({ Event: 'BridgeEnter', ...trunk, ChannelState: '6', BridgeUniqueid: 'p1' }, at(4501)),
    t.onEvent({ Event: 'Hangup', ...picker, Cause: '16' }, at(9501)),
    t.onEvent({ Event: 'Hangup', ...trunk, Cause: '16' }, at(9502)),
  ].flat();
  expect(brief(events)).toEqual([
    '101 ringing inbound "+14155550111" - - @2',
    '103 answered inbound "+14155550111" - - @4501',
    '101 ended inbound "+14155550111" answered_elsewhere 0 @4501',
    '103 ended inbound "+14155550111" answered 5 @9501',
  ]);
  expect(new Set(events.map((e) => e.callId))).toEqual(new Set(['1800000800.1']));
});
