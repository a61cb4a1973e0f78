/**
 * The real Asterisk 20 captures (test/fixtures/asterisk) replayed through the tracker: the exact
 * feed events per flow. Lines: `extension state direction "phone" result duration @ms`.
 */
import { parseCallEvent, toWireEvent } from '../../../src/protocol';
import type { CallEvent } from '../../../src/protocol';
import { createCallTracker } from '../../../relay/src/asterisk/call-tracker';
import type { TrackerConfig } from '../../../relay/src/asterisk/call-tracker';
import { brief, loadFixture, replay } from './call-tracker-replay';

function run(name: string, config: TrackerConfig = {}, originate?: { id: string; extension: string; number: string }) {
  const logs: string[] = [];
  const tracker = createCallTracker({ log: (m) => logs.push(m), ...config });
  if (originate) tracker.expectOriginate(originate);
  const events = replay(tracker, loadFixture(name).steps);
  return { events, lines: brief(events), callIds: [...new Set(events.map((e) => e.callId))], tracker, logs };
}

/** Every event is one the relay's own validation accepts. */
function expectValid(events: readonly CallEvent[]) {
  for (const e of events) expect(parseCallEvent(toWireEvent(e), 0)).toMatchObject({ ok: true });
}

describe('captured flows (Asterisk 20)', () => {
  test('direct inbound, answered: ringing, answered at the bridge, ended with the talk time', () => {
    const { lines, callIds, tracker, events, logs } = run('direct-answered');
    expect(lines).toEqual([
      '101 ringing inbound "+18305803077" - - @10',
      '101 answered inbound "+18305803077" - - @2012',
      '101 ended inbound "+18305803077" answered 7 @8520',
    ]);
    expect(callIds).toEqual(['1796174349.2']);
    expect(tracker.liveLegs()).toBe(0);
    expect(logs).toEqual([]);
    expectValid(events);
  });

  test('direct inbound, the caller gives up while it rings: missed', () => {
    expect(run('direct-missed').lines).toEqual([
      '101 ringing inbound "+14155237743" - - @9',
      '101 ended inbound "+14155237743" missed 0 @6014',
    ]);
  });

  test('busy extension: one ended busy (it never rang)', () => {
    expect(run('busy').lines).toEqual(['103 ended inbound "+12125550199" busy 0 @9']);
  });

  test('ring group: both ring, 102 answers, 101 ends answered_elsewhere after it', () => {
    const { lines, callIds } = run('ring-group');
    expect(lines).toEqual([
      '101 ringing inbound "+14155237743" - - @6',
      '102 ringing inbound "+14155237743" - - @8',
      '102 answered inbound "+14155237743" - - @3013',
      '101 ended inbound "+14155237743" answered_elsewhere 0 @3013',
      '102 ended inbound "+14155237743" answered 7 @9520',
    ]);
    expect(callIds).toEqual(['1796174423.12']);
  });

  test('queue (ringall): 101 answers, 102 ends answered_elsewhere', () => {
    expect(run('queue-answered').lines).toEqual([
      '101 ringing inbound "+18305803077" - - @510',
      '102 ringing inbound "+18305803077" - - @511',
      '101 answered inbound "+18305803077" - - @3516',
      '102 ended inbound "+18305803077" answered_elsewhere 0 @3516',
      '101 ended inbound "+18305803077" answered 6 @9024',
    ]);
  });

  test('internal 101 -> 102: 101 outbound to "102", 102 inbound from "101", one call', () => {
    const { lines, callIds, events } = run('internal');
    expect(lines).toEqual([
      '101 ringing outbound "102" - - @1010',
      '102 ringing inbound "101" - - @1012',
      '102 answered inbound "101" - - @3014',
      '101 answered outbound "102" - - @3014',
      '102 ended inbound "101" answered 5 @7520',
      '101 ended outbound "102" answered 5 @7520',
    ]);
    expect(callIds).toEqual(['1796174520.28']);
    expectValid(events);
  });

  test('outbound to a trunk (an originated call, not announced): the number as dialled, no inbound leg', () => {
    expect(run('outbound').lines).toEqual([
      '101 ringing outbound "914155237743" - - @1011',
      '101 answered outbound "914155237743" - - @3014',
      '101 ended outbound "914155237743" answered 7 @9523',
    ]);
  });

  test('click-to-call: the announced originate is one outbound call to the number asked, ringing from the own phone', () => {
    const { lines, callIds } = run('outbound', {}, { id: '1796174487.24', extension: '101', number: '+14155237743' });
    expect(lines).toEqual([
      '101 ringing outbound "+14155237743" - - @6',
      '101 answered outbound "+14155237743" - - @3014',
      '101 ended outbound "+14155237743" answered 7 @9523',
    ]);
    expect(callIds).toEqual(['1796174487.24']);
  });

  test('blind transfer 101 -> 102: 101 ends answered, 102 rings and answers on the same call', () => {
    const { lines, callIds } = run('blind-transfer');
    expect(lines).toEqual([
      '101 ringing inbound "+18305803077" - - @7',
      '101 answered inbound "+18305803077" - - @2011',
      '101 ended inbound "+18305803077" answered 3 @5008',
      '102 ringing inbound "+18305803077" - - @5010',
      '102 answered inbound "+18305803077" - - @7014',
      '102 ended inbound "+18305803077" answered 6 @12521',
    ]);
    expect(callIds).toEqual(['1796174532.30']);
  });

  test('the recording (MIXMONITOR_FILENAME) goes with the answered ends, through recordingUrl(file, callId)', () => {
    const seen: Array<[string, string]> = [];
    const { events } = run('direct-answered', {
      recordingUrl: (file, callId) => {
        seen.push([file, callId]);
        return `https://pbx.example.com/rec/${file.split('/').pop() ?? ''}`;
      },
    });
    expect(events.map((e) => e.recordingUrl)).toEqual([undefined, undefined,
      'https://pbx.example.com/rec/in-5550100-+18305803077-20261202-011909-1796174349.2.wav']);
    expect(seen).toEqual([['/var/spool/asterisk/monitor/2026/12/02/in-5550100-+18305803077-20261202-011909-1796174349.2.wav', '1796174349.2']]);
    const missed = run('direct-missed', { recordingUrl: () => 'https://pbx.example.com/rec/x.wav' });
    expect(missed.events.every((e) => e.recordingUrl === undefined)).toBe(true);
  });

  test('a late repeat of the call\'s events changes nothing', () => {
    const logs: string[] = [];
    const tracker = createCallTracker({ log: (m) => logs.push(m) });
    const { steps } = loadFixture('direct-answered');
    replay(tracker, steps);
    expect(replay(tracker, steps.filter((s) => s.message?.Event !== 'Newchannel'))).toEqual([]);
    expect(replay(tracker, steps.filter((s) => s.message?.Event === 'Hangup'))).toEqual([]);
    expect(logs).toEqual([]);
  });
});
