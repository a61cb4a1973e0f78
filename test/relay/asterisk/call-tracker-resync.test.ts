/**
 * resync(CoreShowChannels) after a reconnect: the real mid-call answer from the capture, and
 * properties over every flow: a resync at any point repeats nothing and changes no outcome;
 * events lost before a resync still leave every leg moving forward once and ending.
 */
import fc from 'fast-check';
import type { CallEvent } from '../../../src/protocol';
import { createCallTracker } from '../../../relay/src/asterisk/call-tracker';
import type { CallTracker } from '../../../relay/src/asterisk/call-tracker';
import { brief, channelsAt, loadFixture, replay, T0 } from './call-tracker-replay';
import type { Step } from './call-tracker-replay';

const FLOWS: Record<string, { id: string; extension: string; number: string } | undefined> = {
  'direct-answered': undefined, 'direct-missed': undefined, busy: undefined, 'ring-group': undefined,
  'queue-answered': undefined, internal: undefined, outbound: undefined, 'blind-transfer': undefined, resync: undefined,
  'hand-attended-transfer': undefined, 'hand-hunt-group': undefined, 'hand-ring-group-noanswer': undefined,
  'hand-queue-local': undefined, 'hand-withheld': undefined, 'hand-outbound-congestion': undefined, 'hand-chanunavail': undefined,
  'hand-click-to-call-noanswer': { id: '0b6f2d1e-4c1a-4f7e-9a53-2f0d8c4b7e11', extension: '101', number: '+74951234567' },
  'hand-click-to-call-busy': { id: 'c2c-busy-1', extension: '101', number: '84951234567' },
};

function tracker(flow: string): CallTracker {
  const t = createCallTracker();
  const o = FLOWS[flow];
  if (o) t.expectOriginate(o);
  return t;
}

const legOf = (e: CallEvent) => `${e.callId} ${e.extension}`;

function finals(events: readonly CallEvent[]): Map<string, string> {
  return new Map(events.filter((e) => e.state === 'ended').map((e) => [legOf(e), `${e.result ?? ''}${e.expired ? ' expired' : ''}`]));
}

/** Per leg: each state at most once, in the protocol's order. */
function expectForwardOnce(events: readonly CallEvent[]) {
  const rank = { ringing: 0, answered: 1, ended: 2 } as const;
  const last = new Map<string, number>();
  for (const e of events) {
    const before = last.get(legOf(e)) ?? -1;
    expect([legOf(e), rank[e.state] > before]).toEqual([legOf(e), true]);
    last.set(legOf(e), rank[e.state]);
  }
}

function withResync(steps: readonly Step[], lostFrom: number, at: number): Step[] {
  const t = steps[at - 1]?.t ?? 0;
  return [...steps.slice(0, lostFrom), { t, channels: channelsAt(steps, at) }, ...steps.slice(at)];
}

describe('the captured CoreShowChannels answer (a call in progress)', () => {
  const { steps } = loadFixture('resync');
  const at = steps.findIndex((s) => s.channels !== undefined);

  test('a tracker that saw the call from the start: the resync sends nothing', () => {
    const t = createCallTracker();
    replay(t, steps.slice(0, at));
    const list = steps[at]?.channels ?? [];
    expect(list.map((c) => c.Channel)).toEqual(['SIP/101-00000026', 'SIP/pstn-00000025']);
    expect(t.resync(list, T0 + 4008)).toEqual([]);
    expect(t.liveLegs()).toBe(1);
  });

  test('a fresh tracker (the relay restarted): the call comes back answered, once, and ends with the talk time since', () => {
    const t = createCallTracker();
    expect(brief(replay(t, steps.slice(at)))).toEqual([
      '101 answered inbound "+18305803077" - - @4008',
      '101 ended inbound "+18305803077" answered 9 @12527',
    ]);
  });

  test('legs whose channels are gone from the list end expired: answered if they were, missed if ringing', () => {
    const answered = createCallTracker();
    replay(answered, steps.slice(0, at));
    expect(brief(answered.resync([], T0 + 5000))).toEqual(['101 ended inbound "+18305803077" answered - @5000 expired']);
    expect(answered.liveLegs()).toBe(0);

    const ringing = createCallTracker();
    const missed = loadFixture('direct-missed').steps;
    replay(ringing, missed.filter((s) => s.t < 1000));
    expect(brief(ringing.resync([], T0 + 1000))).toEqual(['101 ended inbound "+14155237743" missed - @1000 expired']);
  });
});

describe.each(Object.keys(FLOWS))('%s', (flow) => {
  const { steps } = loadFixture(flow);
  const plain = replay(tracker(flow), steps);

  test('a resync inserted at any point repeats nothing and changes no outcome', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: steps.length }), (k) => {
      const events = replay(tracker(flow), withResync(steps, k, k));
      expectForwardOnce(events);
      expect(finals(events)).toEqual(finals(plain));
      expect(brief(events)).toEqual(brief(plain));
    }), { numRuns: 60 });
  });

  test('events lost before a resync: every leg still moves forward once and ends', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: steps.length }), fc.integer({ min: 0, max: 40 }), (from, lost) => {
      const t = tracker(flow);
      const events = replay(t, withResync(steps, from, Math.min(steps.length, from + lost)));
      expectForwardOnce(events);
      const started = new Set(events.map(legOf));
      expect(new Set(events.filter((e) => e.state === 'ended').map(legOf))).toEqual(started);
      expect(t.liveLegs()).toBe(0);
    }), { numRuns: 60 });
  });
});
