/**
 * Click-to-call over AMI (relay/src/asterisk/ami-originate.ts) against a fake AmiActions and a
 * hand-driven clock: the exact Originate sent, and each Asterisk answer as an outcome. The
 * answers are those of Asterisk 20 (main/manager.c action_originate / fast_originate; the
 * OriginateResponse shape from /work/shared/asterisk/captures/outbound.jsonl).
 */
import { createAmiClient } from '../../../relay/src/asterisk/ami-client';
import { AmiError } from '../../../relay/src/asterisk/ami-errors';
import { createAmiOriginate } from '../../../relay/src/asterisk/ami-originate';
import type { AmiOriginateOptions } from '../../../relay/src/asterisk/ami-originate';
import type { AmiAnswer, AmiMessage } from '../../../relay/src/asterisk/ami-types';
import type { OriginateOutcome, OriginateRequest } from '../../../relay/src/originate/pbx-adapter';
import { startFakeAmi } from '../../support/fake-ami';
import { ManualClock } from '../../support/manual-clock';
import { eventually } from '../../support/wait';

const ID = '0b6f2d1e-4c1a-4f7e-9a53-2f0d8c4b7e11';
const REQUEST: OriginateRequest = { id: ID, extension: '101', number: '+74951234567', userId: '8320148' };
const QUEUED: AmiAnswer = { response: { Response: 'Success', ActionID: '7', Message: 'Originate successfully queued' }, events: [] };
const refusedWith = (message: string): AmiAnswer => ({ response: { Response: 'Error', ActionID: '7', Message: message }, events: [] });

function originateResponse(response: 'Success' | 'Failure', reason: string, uniqueid = ID): AmiMessage {
  return { Event: 'OriginateResponse', Privilege: 'call,all', ActionID: '7', Response: response, Channel: 'SIP/101', Context: 'from-internal', Exten: '74951234567', Reason: reason, Uniqueid: uniqueid, CallerIDNum: '101', CallerIDName: '+74951234567' };
}

/** A fake AMI: records what is sent (and what the tracker was told first), answers as the test says. */
function setup(answer: (action: Readonly<Record<string, string>>) => Promise<AmiAnswer>, options: Partial<AmiOriginateOptions> = {}) {
  const clock = new ManualClock();
  const journal: string[] = [];
  const sent: Array<Readonly<Record<string, string>>> = [];
  const expected: Array<{ id: string; extension: string; number: string }> = [];
  const listeners = new Set<(m: AmiMessage) => void>();
  const adapter = createAmiOriginate({
    ami: {
      send(action) {
        journal.push('send');
        sent.push(action);
        return answer(action);
      },
    },
    events: {
      onEvent(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    tracker: {
      expectOriginate(o) {
        journal.push('expect');
        expected.push(o);
      },
    },
    timers: clock,
    ...options,
  });
  const emit = (m: AmiMessage) => listeners.forEach((l) => l(m));
  return { adapter, clock, journal, sent, expected, listeners, emit };
}

/** The outcome, or 'pending' if the promise has not settled after the microtasks ran. */
async function settled(promise: Promise<OriginateOutcome>): Promise<OriginateOutcome | 'pending'> {
  let result: OriginateOutcome | 'pending' = 'pending';
  void promise.then((o) => (result = o));
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
  return result;
}

describe('the Originate action', () => {
  it('rings the extension, dials the number without its +, and tells the tracker first', async () => {
    const { adapter, sent, expected, journal, clock } = setup(async () => QUEUED);
    const outcome = adapter.originate(REQUEST);
    await settled(outcome);
    clock.advance(2_000);
    await outcome;
    expect(sent).toEqual([
      {
        Action: 'Originate',
        Channel: 'SIP/101',
        Context: 'from-internal',
        Exten: '74951234567',
        Priority: '1',
        Timeout: '30000',
        CallerID: '"+74951234567" <101>',
        Async: 'true',
        ChannelId: ID,
        Variable: `KOMMO_ORIGINATE_ID=${ID}`,
      },
    ]);
    expect(expected).toEqual([{ id: ID, extension: '101', number: '+74951234567' }]);
    expect(journal).toEqual(['expect', 'send']);
  });

  it('follows the options: channel template, context, ring time, caller ID, + and prefix', async () => {
    const { adapter, sent } = setup(async () => QUEUED, {
      channel: 'Local/{extension}@from-internal',
      context: 'outbound',
      timeoutMs: 20_000,
      callerId: '"{number}" <{number}>',
      stripPlus: true,
      dialPrefix: '00',
      failFastMs: 0,
    });
    await adapter.originate(REQUEST);
    // An internal number gets no prefix.
    await adapter.originate({ ...REQUEST, id: 'second', number: '102' });
    expect(sent.map((a) => [a.Channel, a.Context, a.Exten, a.Timeout, a.CallerID])).toEqual([
      ['Local/101@from-internal', 'outbound', '0074951234567', '20000', '"+74951234567" <+74951234567>'],
      ['Local/101@from-internal', 'outbound', '102', '20000', '"102" <102>'],
    ]);
    const keep = setup(async () => QUEUED, { channel: 'PJSIP/{extension}', stripPlus: false, failFastMs: 0 });
    await keep.adapter.originate(REQUEST);
    expect([keep.sent[0]?.Channel, keep.sent[0]?.Exten]).toEqual(['PJSIP/101', '+74951234567']);
  });

  it.each([
    ['CR/LF', '+74951234567\r\nAction: Command'],
    ['a lone LF', '+7495\n1234567'],
    ['spaces', '+7 495 123 45 67'],
    ['a dial-string separator', '+74951234567&SIP/102'],
    ['letters', 'abc'],
    ['nothing', ''],
  ])('refuses a number with %s as bad_number, and nothing reaches AMI', async (_, number) => {
    const { adapter, sent, expected } = setup(async () => QUEUED);
    const outcome = await adapter.originate({ ...REQUEST, number });
    expect(outcome).toMatchObject({ ok: false, code: 'bad_number' });
    expect(sent).toEqual([]);
    expect(expected).toEqual([]);
  });

  it.each([['101\r\nAction: Command'], ['101&SIP/102'], ['101@other-context'], ['SIP/101'], ['']])('refuses the extension %j before AMI', async (extension) => {
    const { adapter, sent } = setup(async () => QUEUED);
    expect(await adapter.originate({ ...REQUEST, extension })).toMatchObject({ ok: false, code: 'unknown_extension' });
    expect(sent).toEqual([]);
  });

  it('refuses bad templates at creation', () => {
    const ami = { send: async () => QUEUED };
    const tracker = { expectOriginate: () => {} };
    expect(() => createAmiOriginate({ ami, tracker, channel: 'SIP/101' })).toThrow(/\{extension\}/);
    expect(() => createAmiOriginate({ ami, tracker, channel: 'SIP/{extension}\r\n' })).toThrow(/template/);
    expect(() => createAmiOriginate({ ami, tracker, context: 'from internal' })).toThrow(/context/);
    expect(() => createAmiOriginate({ ami, tracker, callerId: '{user}' })).toThrow(/caller ID/);
    expect(() => createAmiOriginate({ ami, tracker, dialPrefix: '+x' })).toThrow(/prefix/);
    expect(() => createAmiOriginate({ ami, tracker, timeoutMs: 5 })).toThrow(/ring timeout/);
  });
});

describe('what Asterisk answered', () => {
  it('is success once the phone rings without a quick failure (the call id is the request id)', async () => {
    const { adapter, clock } = setup(async () => QUEUED);
    const outcome = adapter.originate(REQUEST);
    expect(await settled(outcome)).toBe('pending');
    clock.advance(1_999);
    expect(await settled(outcome)).toBe('pending');
    clock.advance(1);
    expect(await outcome).toEqual({ ok: true, callId: ID });
    expect(clock.pending()).toBe(0);
  });

  it('is success at once when the user picks up within the window', async () => {
    const { adapter, emit } = setup(async () => QUEUED);
    const outcome = adapter.originate(REQUEST);
    await settled(outcome);
    emit(originateResponse('Success', '4'));
    expect(await settled(outcome)).toEqual({ ok: true, callId: ID });
  });

  it('is success at once without an event source', async () => {
    const clock = new ManualClock();
    const adapter = createAmiOriginate({ ami: { send: async () => QUEUED }, tracker: { expectOriginate: () => {} }, timers: clock });
    expect(await settled(adapter.originate(REQUEST))).toEqual({ ok: true, callId: ID });
  });

  it.each([
    ['5', 'busy', /busy/],
    ['0', 'unknown_extension', /no such device, or its phone is not registered/],
    ['8', 'other', /congestion/],
    ['3', 'other', /did not answer/],
    ['1', 'other', /hung up/],
  ])('a quick Failure with Reason %s is %s', async (reason, code, text) => {
    const { adapter, emit } = setup(async () => QUEUED);
    const outcome = adapter.originate(REQUEST);
    await settled(outcome);
    emit(originateResponse('Failure', '0', 'someone-else'));
    expect(await settled(outcome)).toBe('pending');
    emit(originateResponse('Failure', reason));
    const settledOutcome = await settled(outcome);
    expect(settledOutcome).toMatchObject({ ok: false, code });
    expect((settledOutcome as { reason: string }).reason).toMatch(text);
  });

  it('takes an OriginateResponse that beat the action\'s Response', async () => {
    let answer: (a: AmiAnswer) => void = () => {};
    const { adapter, emit } = setup(() => new Promise((resolve) => (answer = resolve)));
    const outcome = adapter.originate(REQUEST);
    emit(originateResponse('Failure', '5'));
    expect(await settled(outcome)).toBe('pending');
    answer(QUEUED);
    expect(await settled(outcome)).toMatchObject({ ok: false, code: 'busy' });
  });

  it('forgets the request after the window: a later failure changes nothing', async () => {
    const { adapter, emit, clock } = setup(async () => QUEUED);
    const outcome = adapter.originate(REQUEST);
    await settled(outcome);
    clock.advance(2_000);
    emit(originateResponse('Failure', '3'));
    expect(await outcome).toEqual({ ok: true, callId: ID });
  });

  it.each([
    ['Permission denied', 'not_allowed'],
    ['Originate Access Forbidden: app or data blacklisted', 'not_allowed'],
    ['Extension does not exist.', 'bad_number'],
    ['Asterisk is shutting down', 'unreachable'],
    ['Invalid channel', 'other'],
  ])('Response: Error %j is %s', async (message, code) => {
    const { adapter } = setup(async () => refusedWith(message));
    const outcome = await settled(adapter.originate(REQUEST));
    expect(outcome).toMatchObject({ ok: false, code });
    expect((outcome as { reason: string }).reason).toContain(message);
  });

  it('is a timeout when Asterisk does not answer the action in time', async () => {
    const { adapter, clock } = setup(() => new Promise(() => {}));
    const outcome = adapter.originate(REQUEST);
    clock.advance(4_999);
    expect(await settled(outcome)).toBe('pending');
    clock.advance(1);
    expect(await outcome).toMatchObject({ ok: false, code: 'timeout' });
    const client = setup(() => Promise.reject(new AmiError('timeout', 'no answer within 10000 ms')));
    expect(await client.adapter.originate(REQUEST)).toMatchObject({ ok: false, code: 'timeout' });
  });

  it('is unreachable when the client is not connected or the connection drops', async () => {
    const down = setup(() => Promise.reject(new AmiError('not_connected', 'not logged in')));
    expect(await down.adapter.originate(REQUEST)).toEqual({ ok: false, code: 'unreachable', reason: 'the relay is not connected to Asterisk\'s AMI' });
    const dropped = setup(() => Promise.reject(new AmiError('closed', 'connection lost')));
    expect(await dropped.adapter.originate(REQUEST)).toMatchObject({ ok: false, code: 'unreachable' });
    const thrown = setup(() => {
      throw new Error('boom');
    });
    expect(await thrown.adapter.originate(REQUEST)).toMatchObject({ ok: false, code: 'unreachable' });
  });

  it('close() settles what is in flight, unsubscribes, and refuses new requests', async () => {
    const { adapter, listeners, clock } = setup(() => new Promise(() => {}));
    const outcome = adapter.originate(REQUEST);
    expect(listeners.size).toBe(1);
    await adapter.close?.();
    expect(await outcome).toMatchObject({ ok: false, code: 'unreachable' });
    expect(listeners.size).toBe(0);
    expect(clock.pending()).toBe(0);
    expect(await adapter.originate({ ...REQUEST, id: 'later' })).toMatchObject({ ok: false, code: 'unreachable' });
  });
});

describe('over loopback, with the AMI client and a fake Asterisk', () => {
  it('is unreachable before login, then busy and success as the OriginateResponse says', async () => {
    const fake = await startFakeAmi();
    const client = createAmiClient({ host: fake.host, port: fake.port, username: 'relay', secret: 'relay-secret', backoff: { firstMs: 10, maxMs: 50 } });
    const adapter = createAmiOriginate({ ami: client, events: client, tracker: { expectOriginate: () => {} }, channel: 'PJSIP/{extension}' });
    try {
      expect(await adapter.originate(REQUEST)).toMatchObject({ ok: false, code: 'unreachable' });
      client.start();
      expect(await eventually(() => client.status().state === 'connected', { timeoutMs: 5_000 })).toBe(true);
      fake.script.originate = (action) => ({ event: { Response: 'Failure', Channel: 'PJSIP/101', Context: 'from-internal', Exten: action.Exten ?? '', Reason: '5', Uniqueid: action.ChannelId ?? '' } });
      expect(await adapter.originate({ ...REQUEST, id: 'busy-1' })).toMatchObject({ ok: false, code: 'busy' });
      fake.script.originate = (action) => ({ event: { Response: 'Success', Channel: 'PJSIP/101-00000001', Context: 'from-internal', Exten: action.Exten ?? '', Reason: '4', Uniqueid: action.ChannelId ?? '' } });
      expect(await adapter.originate({ ...REQUEST, id: 'ok-1' })).toEqual({ ok: true, callId: 'ok-1' });
      expect(fake.actions('Originate').map((a) => [a.Channel, a.Exten, a.ChannelId, a.Variable])).toEqual([
        ['PJSIP/101', '74951234567', 'busy-1', 'KOMMO_ORIGINATE_ID=busy-1'],
        ['PJSIP/101', '74951234567', 'ok-1', 'KOMMO_ORIGINATE_ID=ok-1'],
      ]);
    } finally {
      await adapter.close?.();
      await client.stop();
      await fake.close();
    }
  });
});
