/**
 * The Asterisk adapter's shell (asterisk-source.ts) with a scripted AMI connection and tracker:
 * what reaches the relay's sink, in which order, around a resync after each login.
 */
import type { CallEvent } from '../../../src/protocol';
import { createAsteriskSource } from '../../../relay/src/asterisk/asterisk-source';
import type { AmiCallTracker, AmiConnection } from '../../../relay/src/asterisk/asterisk-source';
import type { AmiAnswer, AmiMessage, AmiStatus } from '../../../relay/src/asterisk/ami-types';

function scriptedAmi() {
  const events = new Set<(m: AmiMessage) => void>();
  const ready = new Set<() => void>();
  const sent: Array<Record<string, string>> = [];
  let answer: (a: AmiAnswer) => void = () => {};
  let fail: (e: Error) => void = () => {};
  let status: AmiStatus = { state: 'connecting', since: 0, attempt: 1 };
  const ami: AmiConnection = {
    start: jest.fn(),
    stop: jest.fn(async () => {
      status = { state: 'stopped', since: 5 };
    }),
    send: (action) => {
      sent.push({ ...action });
      return new Promise<AmiAnswer>((resolve, reject) => {
        answer = resolve;
        fail = reject;
      });
    },
    onEvent: (l) => (events.add(l), () => events.delete(l)),
    onReady: (l) => (ready.add(l), () => ready.delete(l)),
    status: () => status,
  };
  return {
    ami,
    sent,
    emit: (m: AmiMessage) => events.forEach((l) => l(m)),
    login: () => {
      status = { state: 'connected', since: 1 };
      ready.forEach((l) => l());
    },
    answer: (a: AmiAnswer) => answer(a),
    fail: (e: Error) => fail(e),
    listeners: () => events.size + ready.size,
  };
}

/** A tracker that turns `Event: X, Id: n` into one event whose callId names what it saw. */
function echoTracker(): AmiCallTracker & { seen: string[] } {
  const seen: string[] = [];
  const ev = (callId: string): CallEvent => ({ callId, state: 'ringing', direction: 'inbound', phone: '+18305803077', extension: '101', at: 1 });
  return {
    seen,
    onEvent: (m) => (seen.push(`event:${m.Id}`), [ev(`e-${m.Id}`)]),
    resync: (channels) => (seen.push(`resync:${channels.length}`), [ev(`r-${channels.length}`)]),
    liveLegs: () => 7,
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

test('after each login it asks CoreShowChannels; events that arrive meanwhile apply after the resync, in order', async () => {
  const a = scriptedAmi();
  const tracker = echoTracker();
  const published: string[] = [];
  const source = createAsteriskSource({ ami: a.ami, tracker, now: () => 1000 });
  source.start({ publish: (events) => published.push(...events.map((e) => e.callId)) });
  expect(a.ami.start).toHaveBeenCalledTimes(1);
  a.login();
  expect(a.sent).toEqual([{ Action: 'CoreShowChannels' }]);
  a.emit({ Event: 'Newchannel', Id: '1' });
  a.emit({ Event: 'Hangup', Id: '2' });
  expect(published).toEqual([]);
  a.answer({ response: { Response: 'Success' }, events: [{ Event: 'CoreShowChannel' }, { Event: 'CoreShowChannel' }] });
  await flush();
  expect(tracker.seen).toEqual(['resync:2', 'event:1', 'event:2']);
  expect(published).toEqual(['r-2', 'e-1', 'e-2']);
  // Between resyncs events go straight through.
  a.emit({ Event: 'Newstate', Id: '3' });
  expect(published).toEqual(['r-2', 'e-1', 'e-2', 'e-3']);
});

test('a resync that fails is logged; the held events still apply; /health says whether AMI is connected', async () => {
  const a = scriptedAmi();
  const log = jest.fn();
  const published: string[] = [];
  const source = createAsteriskSource({ ami: a.ami, tracker: echoTracker(), log });
  source.start({ publish: (events) => published.push(...events.map((e) => e.callId)) });
  expect(source.status()).toMatchObject({ kind: 'asterisk', connected: false, state: 'connecting', live_legs: 7, last_resync: null });
  a.login();
  a.emit({ Event: 'Newchannel', Id: '1' });
  a.fail(new Error('closed'));
  await flush();
  expect(published).toEqual(['e-1']);
  expect(log).toHaveBeenCalledWith(expect.stringMatching(/resynchronising/), { error: 'Error: closed' });
  expect(source.status()).toMatchObject({ connected: true, state: 'connected' });
});

test('stop() undoes start(): no listener left, nothing published after, the client stopped', async () => {
  const a = scriptedAmi();
  const published: string[] = [];
  const source = createAsteriskSource({ ami: a.ami, tracker: echoTracker() });
  source.start({ publish: (events) => published.push(...events.map((e) => e.callId)) });
  a.login();
  await source.stop();
  expect(a.listeners()).toBe(0);
  a.answer({ response: { Response: 'Success' }, events: [] });
  await flush();
  expect(published).toEqual([]);
  expect(a.ami.stop).toHaveBeenCalledTimes(1);
  expect(source.status()).toMatchObject({ connected: false, state: 'stopped' });
});
