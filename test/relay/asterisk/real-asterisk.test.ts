/**
 * Smoke test against two real Asterisk 20 instances (test/support/asterisk/): each call flow the
 * tracker must understand happens on a real PBX, and the relay's AMI user (least permissions,
 * relay/src/asterisk/ami-login.ts) sees the events the tracker reads. Needs the build from
 * scripts/asterisk/ensure-asterisk.sh (ASTERISK_PREFIX).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { createAmiClient, type AmiClient } from '../../../relay/src/asterisk/ami-client';
import { startAsteriskPair, type AsteriskPair } from '../../support/asterisk/asterisk-pair';
import { createEventLog, is, type EventLog } from '../../support/asterisk/event-log';
import { waitUntil } from '../../support/wait';

jest.setTimeout(60_000);

let pair: AsteriskPair;
let relay: AmiClient;
let log: EventLog;
const durations: string[] = [];
let testStarted = 0;
const CUSTOMER = { from: '+18305803077', name: 'Adam Noah' };

beforeAll(async () => {
  pair = await startAsteriskPair();
  durations.push(`pair started in ${pair.startedInMs} ms`);
  log = createEventLog();
  relay = createAmiClient({ ...pair.pbx.ami, backoff: { firstMs: 100, maxMs: 500 } });
  relay.onEvent(log.listener);
  relay.start();
  await waitUntil('the relay user logs in', () => relay.status().state === 'connected', { timeoutMs: 10_000, everyMs: 20 });
});

afterAll(async () => {
  await relay?.stop();
  await pair?.stop();
  console.info(`real Asterisk: ${durations.join('; ')}`);
});

beforeEach(() => {
  testStarted = Date.now();
});

afterEach(async () => {
  const name = (expect.getState().currentTestName ?? '').replace(/^.*? AMI user /, '').split(':')[0];
  durations.push(`${name} ${Date.now() - testStarted} ms`);
  await pair.drive.hangupAll();
});

const hangupOf = (prefix: string) => is.event('Hangup', { Channel: new RegExp(`^${prefix.replace(/[/+]/g, '\\$&')}`) });
const trunkHangup = hangupOf('SIP/pstn-');

function recordingsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.wav')).map((f) => join(dir, f));
}

describe('a real Asterisk 20 PBX, seen through the relay AMI user', () => {
  it('direct inbound answered: ringing, talk, hang-up, a FreePBX-style recording and a Cdr', async () => {
    await pair.drive.setPhone('101', { kind: 'answer', afterS: 1, hangUpAfterS: 2 });
    const mark = log.mark();
    await pair.drive.callIn({ ...CUSTOMER, did: '5550100' });
    const inbound = await log.waitFor(mark, 'Newchannel of the trunk', is.event('Newchannel', { Channel: /^SIP\/pstn-/, Exten: '5550100', CallerIDNum: CUSTOMER.from }));
    await log.waitFor(mark, 'DialBegin to 101', is.event('DialBegin', { Channel: inbound.Channel!, DestChannel: /^SIP\/101-/ }));
    await log.waitFor(mark, 'BridgeEnter of 101', is.event('BridgeEnter', { Channel: /^SIP\/101-/, Linkedid: inbound.Linkedid! }));
    // The resync after a reconnect: CoreShowChannels is allowed to the relay user (write=reporting).
    const live = await relay.send({ Action: 'CoreShowChannels' });
    expect(live.events.map((c) => c.Channel)).toEqual(expect.arrayContaining([inbound.Channel, expect.stringMatching(/^SIP\/101-/)]));
    await log.waitFor(mark, 'Hangup of the trunk', trunkHangup);
    const mixmonitor = log.since(mark).find(is.event('VarSet', { Variable: 'MIXMONITOR_FILENAME' }));
    expect(mixmonitor?.Value).toMatch(/\/\d{4}\/\d{2}\/\d{2}\/in-5550100-\+18305803077-.*\.wav$/);
    const cdr = await log.waitFor(mark, 'Cdr', is.event('Cdr', { Disposition: 'ANSWERED' }));
    expect(mixmonitor!.Value!.endsWith(`/${cdr.RecordingFile}`)).toBe(true);
    expect(mixmonitor!.Value!.startsWith(pair.pbx.recordingsDir)).toBe(true);
    await waitUntil('the recording is written', () => existsSync(mixmonitor!.Value!) && statSync(mixmonitor!.Value!).size > 44, { timeoutMs: 5_000, everyMs: 50 });
    expect(recordingsUnder(pair.pbx.recordingsDir)).toContain(mixmonitor!.Value);
  });

  it('missed: 101 rings, the caller gives up', async () => {
    await pair.drive.setPhone('101', { kind: 'noAnswer' });
    const mark = log.mark();
    await pair.drive.callIn({ ...CUSTOMER, did: '5550100', giveUpAfterS: 2 });
    await log.waitFor(mark, 'DialEnd CANCEL', is.event('DialEnd', { DestChannel: /^SIP\/101-/, DialStatus: 'CANCEL' }));
    await log.waitFor(mark, 'Hangup of the trunk', trunkHangup);
    expect(log.since(mark).some(is.event('BridgeEnter'))).toBe(false);
  });

  it('busy: 103 answers busy', async () => {
    await pair.drive.setPhone('103', { kind: 'busy' });
    const mark = log.mark();
    await pair.drive.callIn({ from: '+12125550199', did: '5550500' });
    await log.waitFor(mark, 'DialEnd BUSY', is.event('DialEnd', { DestChannel: /^SIP\/103-/, DialStatus: 'BUSY' }));
    const hangup = await log.waitFor(mark, 'Hangup of the trunk', trunkHangup);
    expect(hangup.Cause).toBe('17');
  });

  it('ring group: 101 and 102 ring, 102 answers, 101 ends answered elsewhere', async () => {
    await pair.drive.setPhone('101', { kind: 'noAnswer' });
    await pair.drive.setPhone('102', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
    const mark = log.mark();
    await pair.drive.callIn({ ...CUSTOMER, did: '5550200' });
    await log.waitFor(mark, 'BridgeEnter of 102', is.event('BridgeEnter', { Channel: /^SIP\/102-/ }));
    await log.waitFor(mark, 'Hangup of the trunk', trunkHangup);
    const events = log.since(mark);
    expect(events.filter(is.event('DialBegin')).map((m) => m.DestChannel)).toEqual([expect.stringMatching(/^SIP\/101-/), expect.stringMatching(/^SIP\/102-/)]);
    expect(events.find(hangupOf('SIP/101-'))?.Cause).toBe('26');
  });

  it('hunt: 101 busy, then 102 answers', async () => {
    await pair.drive.setPhone('101', { kind: 'busy' });
    await pair.drive.setPhone('102', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
    const mark = log.mark();
    await pair.drive.callIn({ ...CUSTOMER, did: '5550300' });
    await log.waitFor(mark, 'Hangup of the trunk', trunkHangup);
    const ends = log.since(mark).filter(is.event('DialEnd')).map((m) => `${m.DestChannel!.slice(0, 7)} ${m.DialStatus}`);
    expect(ends).toEqual(['SIP/101 BUSY', 'SIP/102 ANSWER']);
  });

  it('queue support (ringall, Local members): 101 answers, 102 ends answered elsewhere', async () => {
    await pair.drive.setPhone('101', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
    await pair.drive.setPhone('102', { kind: 'noAnswer' });
    const mark = log.mark();
    await pair.drive.callIn({ ...CUSTOMER, did: '5550400' });
    await log.waitFor(mark, 'QueueCallerJoin', is.event('QueueCallerJoin', { Queue: 'support' }));
    await log.waitFor(mark, 'AgentConnect', is.event('AgentConnect', { DestChannel: /^Local\/101@from-queue-/ }));
    await log.waitFor(mark, 'Hangup of the trunk', trunkHangup);
    const events = log.since(mark);
    expect(events.filter(is.event('AgentCalled')).map((m) => m.DestChannel?.replace(/-\w+;1$/, ''))).toEqual(['Local/101@from-queue', 'Local/102@from-queue']);
    expect(events.find(hangupOf('SIP/102-'))?.Cause).toBe('26');
  });

  it('outbound: 101 dials +14155550100 through the trunk, recorded', async () => {
    await pair.drive.setOutside('+14155550100', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
    const mark = log.mark();
    await pair.drive.dialOut('101', '+14155550100');
    await log.waitFor(mark, 'Newchannel of 101', is.event('Newchannel', { Channel: /^SIP\/101-/, Context: 'from-internal', Exten: '+14155550100' }));
    await log.waitFor(mark, 'BridgeEnter of the trunk', is.event('BridgeEnter', { Channel: /^SIP\/pstn-/ }));
    await log.waitFor(mark, 'Hangup of 101', hangupOf('SIP/101-'));
    expect(log.since(mark).find(is.event('VarSet', { Variable: 'MIXMONITOR_FILENAME' }))?.Value).toMatch(/\/out-\+14155550100-101-/);
  });

  it('internal: 101 calls 102', async () => {
    await pair.drive.setPhone('102', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
    const mark = log.mark();
    await pair.drive.dialOut('101', '102');
    await log.waitFor(mark, 'DialBegin 101 -> 102', is.event('DialBegin', { Channel: /^SIP\/101-/, DestChannel: /^SIP\/102-/ }));
    await log.waitFor(mark, 'BridgeEnter of 102', is.event('BridgeEnter', { Channel: /^SIP\/102-/ }));
    await log.waitFor(mark, 'Hangup of 101', hangupOf('SIP/101-'));
    expect(log.since(mark).some(is.event('Newchannel', { Channel: /^SIP\/pstn-/ }))).toBe(false);
  });

  it('blind transfer: 101 answers, AMI BlindTransfer to 102, the customer talks to 102', async () => {
    await pair.drive.setPhone('101', { kind: 'answer', afterS: 1 });
    await pair.drive.setPhone('102', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
    const mark = log.mark();
    await pair.drive.callIn({ ...CUSTOMER, did: '5550100' });
    await log.waitFor(mark, 'BridgeEnter of 101', is.event('BridgeEnter', { Channel: /^SIP\/101-/ }));
    await pair.drive.blindTransfer('101', '102');
    await log.waitFor(mark, 'BlindTransfer', is.event('BlindTransfer', { Result: 'Success', Extension: '102' }));
    await log.waitFor(mark, 'BridgeEnter of 102', is.event('BridgeEnter', { Channel: /^SIP\/102-/ }));
    await log.waitFor(mark, 'Hangup of the trunk', trunkHangup);
  });

  it('attended transfer: 101 consults 102, hangs up, the customer talks to 102', async () => {
    await pair.drive.setPhone('101', { kind: 'answer', afterS: 1 });
    await pair.drive.setPhone('102', { kind: 'answer', afterS: 1, hangUpAfterS: 2 });
    const mark = log.mark();
    await pair.drive.callIn({ ...CUSTOMER, did: '5550100' });
    await log.waitFor(mark, 'BridgeEnter of 101', is.event('BridgeEnter', { Channel: /^SIP\/101-/ }));
    await pair.drive.attendedTransfer('101', '102');
    await log.waitFor(mark, 'AttendedTransfer', is.event('AttendedTransfer', { Result: 'Success' }));
    await log.waitFor(mark, 'Hangup of the trunk', trunkHangup);
    const last = log.since(mark).filter(is.event('BridgeEnter', { Channel: /^SIP\/pstn-/ })).pop();
    expect(log.since(mark).filter(is.event('BridgeEnter', { BridgeUniqueid: last!.BridgeUniqueid! })).map((m) => m.Channel?.slice(0, 7))).toContain('SIP/102');
  });

  it('click-to-call: the relay user originates SIP/101 with a ChannelId, 101 answers, then the customer', async () => {
    await pair.drive.setPhone('101', { kind: 'answer', afterS: 1 });
    await pair.drive.setOutside('+14155237743', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
    const mark = log.mark();
    const answer = await relay.send({ Action: 'Originate', Channel: 'SIP/101', Context: 'from-internal', Exten: '+14155237743', Priority: '1', Async: 'true', ChannelId: 'kommo-click-1', CallerID: '<+14155237743>' });
    expect(answer.response.Response).toBe('Success');
    await log.waitFor(mark, 'OriginateResponse', is.event('OriginateResponse', { Response: 'Success', Uniqueid: 'kommo-click-1' }));
    await log.waitFor(mark, 'BridgeEnter of the trunk', is.event('BridgeEnter', { Channel: /^SIP\/pstn-/, Linkedid: 'kommo-click-1' }));
    await log.waitFor(mark, 'Hangup of 101', hangupOf('SIP/101-'));
  });
});
