/**
 * When a call is complete, as the call log sees it: legs as the store emits them, settle timers
 * on a manual clock (call-double.ts), one completed call per call id.
 */
import fc from 'fast-check';
import { ASSEMBLY_DEFAULTS, initialAssembly, stepAssembly } from '../../../relay/src/calllog/assembly';
import type { AssemblyState, CallAssemblyConfig } from '../../../relay/src/calllog/assembly';
import type { CallEvent } from '../../../src/protocol';
import { AssemblyShell, T0, leg } from './call-double';

const SETTLE = 10_000;
const S = 1000;
const CONFIG: CallAssemblyConfig = { settleMs: SETTLE, ...ASSEMBLY_DEFAULTS };

function shell(config: Partial<CallAssemblyConfig> = {}): AssemblyShell {
  return new AssemblyShell({ ...CONFIG, ...config });
}

/** A leg's whole life on `extension`: ringing, maybe answered, ended with `result`. */
function life(extension: string, result: NonNullable<CallEvent['result']>, extra: Partial<CallEvent> = {}, duration = 0): CallEvent[] {
  const events = [leg('ringing', { extension, ...extra })];
  if (result === 'answered') events.push(leg('answered', { extension, ...extra }));
  events.push(leg('ended', { extension, result, ...(duration > 0 ? { duration } : {}), ...extra }));
  return events;
}

describe('a call is complete once every leg ended and the settle delay passed', () => {
  test('direct inbound, answered: completed settleMs after its end, not a moment before', () => {
    const s = shell();
    s.emit(leg('ringing'));
    s.clock.advance(5 * S);
    s.emit(leg('answered', { at: T0 + 5 * S }));
    s.clock.advance(42 * S);
    s.emit(leg('ended', { at: T0 + 47 * S, result: 'answered', duration: 42 }));
    s.clock.advance(SETTLE - 1);
    expect(s.completed).toEqual([]);
    s.clock.advance(1);
    expect(s.completed).toEqual([expect.objectContaining({ uniq: 'c1', outcome: 'talked', extension: '101', duration: 42, startedAt: T0, endedAt: T0 + 47 * S })]);
    expect(s.state.calls.size).toBe(0);
    expect(s.pendingTimers()).toBe(0);
  });

  test.each([
    ['missed', 'no_answer'],
    ['busy', 'busy'],
    ['failed', 'failed'],
  ] as const)('a call ending %s: %s', (result, outcome) => {
    const s = shell();
    s.emit(...life('101', result));
    s.clock.advance(SETTLE);
    expect(s.completed.map((c) => c.outcome)).toEqual([outcome]);
  });

  test('a ring group where 102 answers and 101/103 end answered_elsewhere: one call, talked, by 102', () => {
    const s = shell();
    s.emit(leg('ringing', { extension: '101' }), leg('ringing', { extension: '102' }), leg('ringing', { extension: '103' }));
    s.emit(leg('answered', { extension: '102' }), leg('ended', { extension: '101', result: 'answered_elsewhere' }), leg('ended', { extension: '103', result: 'answered_elsewhere' }));
    s.clock.advance(10 * SETTLE);
    expect(s.completed).toEqual([]);
    s.emit(leg('ended', { extension: '102', result: 'answered', duration: 100, at: T0 + 100 * S }));
    s.clock.advance(SETTLE);
    expect(s.completed).toEqual([expect.objectContaining({ outcome: 'talked', extension: '102', extensions: ['101', '102', '103'], duration: 100 })]);
  });

  test('a ring group nobody answers: one call, no_answer, by the first extension that rang', () => {
    const s = shell();
    s.emit(leg('ringing', { extension: '102' }), leg('ringing', { extension: '101' }));
    s.emit(leg('ended', { extension: '101' }), leg('ended', { extension: '102' }));
    s.clock.advance(SETTLE);
    expect(s.completed).toEqual([expect.objectContaining({ outcome: 'no_answer', extension: '102', extensions: ['102', '101'] })]);
  });

  test('a transfer 101 -> 102 whose second leg rings after the first ended, within the delay: one call, talk summed, by 102', () => {
    const s = shell();
    s.emit(...life('101', 'answered', {}, 30));
    s.clock.advance(SETTLE - 1);
    s.emit(leg('ringing', { extension: '102', at: T0 + 31 * S }), leg('answered', { extension: '102' }));
    s.clock.advance(SETTLE);
    expect(s.completed).toEqual([]);
    s.emit(leg('ended', { extension: '102', result: 'answered', duration: 50, at: T0 + 90 * S }));
    s.clock.advance(SETTLE);
    expect(s.completed).toEqual([expect.objectContaining({ outcome: 'talked', extension: '102', extensions: ['101', '102'], duration: 80, endedAt: T0 + 90 * S })]);
  });

  test('a transfer leg arriving during the delay cancels the completion: nothing is logged while it rings', () => {
    const s = shell();
    s.emit(...life('101', 'answered', {}, 30));
    expect(s.effects.at(-1)).toEqual({ kind: 'set-timer', callId: 'c1', ms: SETTLE });
    s.clock.advance(SETTLE / 2);
    s.emit(leg('ringing', { extension: '102' }));
    expect(s.effects.at(-1)).toEqual({ kind: 'clear-timer', callId: 'c1' });
    s.clock.advance(100 * SETTLE);
    expect(s.completed).toEqual([]);
    expect(s.pendingTimers()).toBe(0);
  });

  test('a leg that first arrives ended during the delay restarts it', () => {
    const s = shell();
    s.emit(...life('101', 'missed'));
    s.clock.advance(SETTLE - 1);
    s.emit(leg('ended', { extension: '102', result: 'missed' }));
    s.clock.advance(SETTLE - 1);
    expect(s.completed).toEqual([]);
    s.clock.advance(1);
    expect(s.completed.map((c) => c.extensions)).toEqual([['101', '102']]);
  });

  test('a repeated identical ended event changes nothing: the state is the same, no timer is restarted', () => {
    const s = shell();
    const end = leg('ended');
    s.emit(leg('ringing'), end);
    const before = s.state;
    const step = stepAssembly(before, { kind: 'event', event: { ...end }, now: T0 + 1 }, CONFIG);
    expect(step).toEqual({ state: before, effects: [] });
    expect(step.state).toBe(before);
  });

  test('a late state for a leg (ringing after its end) is ignored', () => {
    const s = shell();
    s.emit(leg('ended'), leg('ringing'));
    s.clock.advance(SETTLE);
    expect(s.completed).toHaveLength(1);
  });

  test('completed once: repeats of the ended event after completion complete nothing twice; a late live leg is warned about', () => {
    const s = shell();
    s.emit(...life('101', 'answered', {}, 20));
    s.clock.advance(SETTLE);
    expect(s.completed).toHaveLength(1);
    s.emit(leg('ended', { result: 'answered', duration: 20 }), leg('ended', { extension: '102' }));
    expect(s.warnings()).toEqual([]);
    s.emit(leg('ringing', { extension: '103' }));
    s.clock.advance(100 * SETTLE);
    expect(s.completed).toHaveLength(1);
    expect(s.warnings()).toEqual(['call log: a leg after its call was logged, not logged again']);
    expect(s.pendingTimers()).toBe(0);
    expect(s.state.calls.size).toBe(0);
  });

  test('outbound calls: talked, and no_answer when the number did not pick up', () => {
    const s = shell();
    const out = { direction: 'outbound', phone: '+442079460958' } as const;
    s.emit(...life('104', 'answered', { ...out, callId: 'o1' }, 15), ...life('104', 'missed', { ...out, callId: 'o2' }));
    s.clock.advance(SETTLE);
    expect(s.completed.map((c) => [c.uniq, c.direction, c.outcome, c.extension, c.phone])).toEqual([
      ['o1', 'outbound', 'talked', '104', '+442079460958'],
      ['o2', 'outbound', 'no_answer', '104', '+442079460958'],
    ]);
  });

  test('an internal call is completed too, marked internal (the plan decides not to log it); a withheld number is a customer\'s', () => {
    const s = shell();
    s.emit(...life('101', 'answered', { callId: 'i1', phone: '102' }, 5), ...life('101', 'missed', { callId: 'w1', phone: '' }));
    s.clock.advance(SETTLE);
    expect(s.completed.map((c) => [c.uniq, c.phone, c.internal])).toEqual([
      ['i1', '102', true],
      ['w1', '', false],
    ]);
  });

  test('known extensions from the config make a long extension number internal', () => {
    const s = shell({ knownExtensions: new Set(['20002']) });
    s.emit(...life('101', 'answered', { phone: '20002' }, 5));
    s.clock.advance(SETTLE);
    expect(s.completed[0]?.internal).toBe(true);
  });

  test('calls are independent: each completes on its own delay', () => {
    const s = shell();
    s.emit(...life('101', 'missed', { callId: 'a' }));
    s.clock.advance(SETTLE / 2);
    s.emit(...life('102', 'missed', { callId: 'b' }));
    s.clock.advance(SETTLE / 2);
    expect(s.completed.map((c) => c.uniq)).toEqual(['a']);
    s.clock.advance(SETTLE / 2);
    expect(s.completed.map((c) => c.uniq)).toEqual(['a', 'b']);
  });
});

describe('restore at startup', () => {
  test('a call whose legs all ended during the restart is completed settleMs after the restore', () => {
    const s = shell();
    s.restore([
      leg('ended', { extension: '101', result: 'answered_elsewhere', at: T0 - 60 * S }),
      leg('ended', { extension: '102', result: 'answered', duration: 40, at: T0 - 20 * S }),
    ]);
    s.clock.advance(SETTLE - 1);
    expect(s.completed).toEqual([]);
    s.clock.advance(1);
    // First seen ended: its start is estimated as the end less the talk time.
    expect(s.completed).toEqual([expect.objectContaining({ outcome: 'talked', extension: '102', extensions: ['101', '102'], startedAt: T0 - 60 * S, endedAt: T0 - 20 * S })]);
  });

  test('a call with a live leg waits for its end', () => {
    const s = shell();
    s.restore([leg('ended', { extension: '101', result: 'answered_elsewhere' }), leg('answered', { extension: '102' })]);
    expect(s.effects).toEqual([]);
    s.clock.advance(100 * SETTLE);
    expect(s.completed).toEqual([]);
    s.emit(leg('ended', { extension: '102', result: 'answered', duration: 9 }));
    s.clock.advance(SETTLE);
    expect(s.completed).toEqual([expect.objectContaining({ outcome: 'talked', extension: '102', duration: 9 })]);
  });

  test('several calls at once; a leg listed twice counts once; a broken list or leg is dropped with a warning', () => {
    const s = shell();
    const end = leg('ended', { callId: 'a' });
    s.restore([end, end, leg('ringing', { callId: 'b' }), { nonsense: true } as unknown as CallEvent]);
    s.restore('not a list' as unknown as CallEvent[]);
    expect(s.warnings()).toEqual(['call log: not a call event, dropped', 'call log: restore without a list of legs, ignored']);
    s.clock.advance(SETTLE);
    expect(s.completed.map((c) => c.uniq)).toEqual(['a']);
    expect([...s.state.calls.keys()]).toEqual(['b']);
  });
});

describe('bounds and defence', () => {
  test('over maxCalls the oldest live call is dropped with a warning, and its later end logs nothing', () => {
    const s = shell({ maxCalls: 2 });
    s.emit(leg('ringing', { callId: 'a' }), leg('ringing', { callId: 'b' }), leg('ringing', { callId: 'c' }));
    expect(s.effects).toEqual([{ kind: 'warn', message: 'call log: too many calls in progress, oldest dropped unlogged', data: { callId: 'a', legs: 1, maxCalls: 2 } }]);
    expect([...s.state.calls.keys()]).toEqual(['b', 'c']);
    s.emit(leg('ended', { callId: 'a' }));
    s.clock.advance(SETTLE);
    expect(s.completed).toEqual([]);
  });

  test('over maxCalls an oldest call that already ended is completed early rather than lost', () => {
    const s = shell({ maxCalls: 1 });
    s.emit(...life('101', 'missed', { callId: 'a' }));
    s.emit(leg('ringing', { callId: 'b' }));
    expect(s.completed.map((c) => c.uniq)).toEqual(['a']);
    expect(s.warnings()).toEqual(['call log: too many calls in progress, oldest completed early']);
    expect(s.effects).toContainEqual({ kind: 'clear-timer', callId: 'a' });
    expect(s.pendingTimers()).toBe(0);
  });

  test('the completed ids are bounded: the oldest beyond maxCompleted is forgotten', () => {
    const s = shell({ maxCompleted: 2 });
    for (const callId of ['a', 'b', 'c']) s.emit(...life('101', 'missed', { callId }));
    s.clock.advance(SETTLE);
    expect([...s.state.completed]).toEqual(['b', 'c']);
    s.emit(leg('ended', { callId: 'b' }), leg('ended', { callId: 'a' }));
    s.clock.advance(SETTLE);
    // b is still remembered; a was forgotten, so (only beyond the bound) its repeat is a new call: the outbox's keys catch it.
    expect(s.completed.map((c) => c.uniq)).toEqual(['a', 'b', 'c', 'a']);
  });

  test('a settle timer for a call that is not settling, or unknown, does nothing; one firing early is re-armed for the rest', () => {
    const s = shell();
    s.emit(leg('ringing', { callId: 'live' }), leg('ended', { callId: 'done' }));
    const before = s.state;
    expect(stepAssembly(before, { kind: 'settled', callId: 'live', now: T0 + SETTLE }, CONFIG)).toEqual({ state: before, effects: [] });
    expect(stepAssembly(before, { kind: 'settled', callId: 'nobody', now: T0 + SETTLE }, CONFIG)).toEqual({ state: before, effects: [] });
    expect(stepAssembly(before, { kind: 'settled', callId: 'done', now: T0 + 4 * S }, CONFIG).effects).toEqual([{ kind: 'set-timer', callId: 'done', ms: SETTLE - 4 * S }]);
  });

  test('a clock that went back restarts the delay instead of waiting for the old time', () => {
    const s = shell();
    s.emit(leg('ended'));
    const back = stepAssembly(s.state, { kind: 'settled', callId: 'c1', now: T0 - 3_600_000 }, CONFIG);
    expect(back.effects).toEqual([{ kind: 'set-timer', callId: 'c1', ms: SETTLE }]);
    expect(stepAssembly(back.state, { kind: 'settled', callId: 'c1', now: T0 - 3_600_000 + SETTLE }, CONFIG).effects).toEqual([
      { kind: 'complete', call: expect.objectContaining({ uniq: 'c1' }) },
    ]);
  });

  test('what is not a call event, or not an input, is dropped with a warning', () => {
    const s = shell();
    s.emit({ callId: '', state: 'ringing' } as unknown as CallEvent, null as unknown as CallEvent, leg('ringing', { state: 'dialing' as CallEvent['state'] }));
    s.step({ kind: 'bogus' } as never);
    expect(s.warnings()).toEqual(['call log: not a call event, dropped', 'call log: not a call event, dropped', 'call log: not a call event, dropped', 'call log: unknown assembly input, ignored']);
    expect(s.state).toBe(initialAssembly);
  });

  test('a step never changes the state it was given', () => {
    const s = shell();
    s.emit(leg('ringing', { extension: '101' }), leg('ringing', { extension: '102' }));
    const before = s.state;
    const snapshot = { calls: [...before.calls].map(([id, c]) => [id, { ...c, legs: [...c.legs] }]), completed: [...before.completed] };
    s.emit(leg('ended', { extension: '101' }), leg('ended', { extension: '102' }));
    s.clock.advance(SETTLE);
    expect(s.completed).toHaveLength(1);
    expect({ calls: [...before.calls].map(([id, c]) => [id, { ...c, legs: [...c.legs] }]), completed: [...before.completed] }).toEqual(snapshot);
  });
});

describe('property: each call completes exactly once, whatever the order and repeats of its events', () => {
  const RESULTS = ['answered', 'missed', 'busy', 'failed', 'answered_elsewhere'] as const;
  const legArb = fc.record({ extension: fc.constantFrom('101', '102', '103'), result: fc.constantFrom(...RESULTS) });
  const callsArb = fc.array(fc.array(legArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 });

  /** Every event of every call, ringing to ended per leg. */
  function eventsOf(calls: Array<Array<{ extension: string; result: (typeof RESULTS)[number] }>>): CallEvent[] {
    return calls.flatMap((legs, i) => legs.flatMap(({ extension, result }) => life(extension, result, { callId: `c${i}` }, result === 'answered' ? 7 : 0)));
  }

  const scenario = callsArb.chain((calls) => {
    const base = eventsOf(calls);
    return fc
      .array(fc.nat({ max: base.length - 1 }), { maxLength: 20 })
      .chain((repeats) => {
        const all = [...base, ...repeats.map((i) => base[i] as CallEvent)];
        return fc.tuple(
          fc.constant(calls.length),
          fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
          fc.array(fc.integer({ min: 0, max: 2 * SETTLE }), { minLength: all.length, maxLength: all.length }),
        );
      });
  });

  test('delivered in any order, repeated, with any pauses (settle timers firing in between)', () => {
    fc.assert(
      fc.property(scenario, ([callCount, events, pauses]) => {
        const s = shell();
        events.forEach((event, i) => {
          s.emit(event);
          s.clock.advance(pauses[i] ?? 0);
        });
        s.clock.advance(SETTLE);
        const ids = s.completed.map((c) => c.uniq).sort();
        expect(ids).toEqual(Array.from({ length: callCount }, (_, i) => `c${i}`).sort());
        expect(s.state.calls.size).toBe(0);
        expect(s.pendingTimers()).toBe(0);
      }),
    );
  });

  test('a completed call stays completed: replaying all its events again completes nothing', () => {
    fc.assert(
      fc.property(scenario, ([, events]) => {
        const s = shell();
        s.emit(...events);
        s.clock.advance(SETTLE);
        const once = s.completed.length;
        let state: AssemblyState = s.state;
        for (const event of events) {
          const step = stepAssembly(state, { kind: 'event', event, now: T0 + 2 * SETTLE }, CONFIG);
          expect(step.effects.filter((e) => e.kind !== 'warn')).toEqual([]);
          state = step.state;
        }
        expect(state).toBe(s.state);
        expect(once).toBe(new Set(events.map((e) => e.callId)).size);
      }),
    );
  });
});
