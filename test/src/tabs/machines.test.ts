/** The session's machines as data: inputs in, state and effects out; no clock, no browser. */
import { initialLeadership, roleOf, stepLeadership, type LeadershipState } from '../../../src/tabs/leadership';
import { stepLease, type LeasePhase } from '../../../src/tabs/lease-machine';
import { initialNotified, stepNotified } from '../../../src/tabs/notified';
import { initialRouting, stepRouting, type RoutingState } from '../../../src/tabs/routing';
import { initialSession, stepSession, type SessionEffect, type SessionInput, type SessionState } from '../../../src/tabs/session-machine';
import { stepSharing } from '../../../src/tabs/sharing';
import { defaultTabTiming } from '../../../src/tabs';
import type { Attention } from '../../../src/tabs';

const looking = (since: number): Attention => ({ kind: 'looking', since });
const kinds = (effects: Array<{ kind: string }>) => effects.map((e) => e.kind);

describe('leadership', () => {
  const following = initialLeadership('locks');
  test('a connected tab says hello and starts the election; elected, it begins term 1 as leader', () => {
    expect(stepLeadership(following, { type: 'start' }).effects).toEqual([{ kind: 'hello' }, { kind: 'start-election' }]);
    const elected = stepLeadership(following, { type: 'elected' });
    expect(elected.state).toEqual({ phase: 'leading', mode: 'locks', term: 1 });
    expect(elected.effects).toEqual([{ kind: 'role', role: { role: 'leader' } }, { kind: 'begin-term', term: 1, connected: true }]);
    expect(stepLeadership(elected.state, { type: 'elected' }).effects).toEqual([]);
  });
  test('without a way to elect, start leads alone at once', () => {
    const out = stepLeadership(initialLeadership('alone'), { type: 'start' });
    expect(out.state).toEqual({ phase: 'alone', term: 1 });
    expect(out.effects).toEqual([{ kind: 'role', role: { role: 'alone' } }, { kind: 'begin-term', term: 1, connected: false }]);
  });
  test('deposed ends the term and follows nobody; the next term has a new number', () => {
    const leading: LeadershipState = { phase: 'leading', mode: 'lease', term: 1 };
    const out = stepLeadership(leading, { type: 'deposed' });
    expect(out.state).toEqual({ phase: 'following', mode: 'lease', leaderId: null, terms: 1 });
    expect(out.effects).toEqual([{ kind: 'role', role: { role: 'follower', leaderId: null } }, { kind: 'end-term', term: 1 }]);
    expect(stepLeadership(out.state, { type: 'elected' }).state).toEqual({ phase: 'leading', mode: 'lease', term: 2 });
  });
  test('a broken election: log, end the term, drop election and channel, lead alone', () => {
    const out = stepLeadership({ phase: 'leading', mode: 'locks', term: 3 }, { type: 'failed' });
    expect(out.state).toEqual({ phase: 'alone', term: 4 });
    expect(kinds(out.effects)).toEqual(['role', 'log', 'end-term', 'isolate', 'begin-term']);
    expect(stepLeadership(out.state, { type: 'failed' }).effects).toEqual([]);
  });
  test('a snapshot names the leader and repeats the attention; a state names it quietly; a leader only logs', () => {
    const snap = stepLeadership(following, { type: 'announced', from: 'b', via: 'snapshot' });
    expect(snap.effects).toEqual([{ kind: 'role', role: { role: 'follower', leaderId: 'b' } }, { kind: 'repeat-attention' }]);
    expect(stepLeadership(snap.state, { type: 'announced', from: 'b', via: 'snapshot' }).effects).toEqual([]);
    expect(stepLeadership(following, { type: 'announced', from: 'b', via: 'state' }).effects).toEqual([{ kind: 'role', role: { role: 'follower', leaderId: 'b' } }]);
    const leading: LeadershipState = { phase: 'leading', mode: 'locks', term: 1 };
    expect(kinds(stepLeadership(leading, { type: 'announced', from: 'b', via: 'snapshot' }).effects)).toEqual(['log']);
    expect(stepLeadership(leading, { type: 'announced', from: 'b', via: 'state' }).effects).toEqual([]);
  });
  test('the leader left: forget it and nudge the election', () => {
    const out = stepLeadership({ phase: 'following', mode: 'lease', leaderId: 'b', terms: 0 }, { type: 'leader-left' });
    expect(out.effects).toEqual([{ kind: 'role', role: { role: 'follower', leaderId: null } }, { kind: 'nudge' }]);
  });
  test('stop ends the term, says goodbye (as leader or not), releases; after it nothing moves', () => {
    const out = stepLeadership({ phase: 'leading', mode: 'locks', term: 2 }, { type: 'stop' });
    expect(out.effects).toEqual([{ kind: 'end-term', term: 2 }, { kind: 'bye', wasLeader: true }, { kind: 'release' }]);
    expect(roleOf(out.state)).toEqual({ role: 'leader' });
    expect(stepLeadership(out.state, { type: 'elected' }).effects).toEqual([]);
    expect(stepLeadership({ phase: 'alone', term: 1 }, { type: 'stop' }).effects).toContainEqual({ kind: 'bye', wasLeader: false });
  });
});

describe('routing', () => {
  const base = (tabs: Array<[string, Attention]>): RoutingState<string> => ({ ...initialRouting<string>('L', { kind: 'hidden' }), tabs: new Map([['L', { kind: 'hidden' }], ...tabs]) });
  test('to the tab looked at: mark, send, wait for the ack; the ack cancels the timer', () => {
    const out = stepRouting(base([['b', looking(5)]]), { type: 'show', popup: 'p', callId: 'c1' });
    expect(out.effects).toEqual([
      { kind: 'post', body: { type: 'mark', list: 'popped', callId: 'c1' } },
      { kind: 'post', body: { type: 'popup', to: 'b', callId: 'c1', popup: 'p' } },
      { kind: 'ack-timer', callId: 'c1', ms: defaultTabTiming.popupAckMs },
    ]);
    const acked = stepRouting(out.state, { type: 'acked', to: 'L', callId: 'c1' });
    expect(acked.effects).toEqual([{ kind: 'cancel-ack-timer', callId: 'c1' }]);
    expect(stepRouting(acked.state, { type: 'ack-timeout', callId: 'c1' }).effects).toEqual([]);
  });
  test('no answer: the leader shows it and stops routing to that tab', () => {
    const routed = stepRouting(base([['b', looking(5)]]), { type: 'show', popup: 'p', callId: 'c1' });
    const late = stepRouting(routed.state, { type: 'ack-timeout', callId: 'c1' });
    expect(kinds(late.effects)).toEqual(['log', 'display']);
    expect(late.state.tabs.has('b')).toBe(false);
  });
  test('nobody looking: shown here first, then marked for the other tabs in the same step; never twice', () => {
    const out = stepRouting(base([['b', { kind: 'visible' }]]), { type: 'show', popup: 'p', callId: 'c1' });
    expect(out.effects).toEqual([
      { kind: 'display', popup: 'p', callId: 'c1' },
      { kind: 'post', body: { type: 'mark', list: 'popped', callId: 'c1' } },
    ]);
    expect(kinds(stepRouting(out.state, { type: 'show', popup: 'p', callId: 'c1' }).effects)).toEqual(['log']);
  });
  test('nobody looking: shown here; without an id, named per tab and never marked', () => {
    const out = stepRouting(base([['b', { kind: 'visible' }]]), { type: 'show', popup: 'p', callId: '' });
    expect(out.effects).toEqual([{ kind: 'display', popup: 'p', callId: 'L#1' }]);
    expect(stepRouting(out.state, { type: 'show', popup: 'q', callId: '' }).effects).toEqual([{ kind: 'display', popup: 'q', callId: 'L#2' }]);
  });
  test('a routed pop-up for this tab is shown and acknowledged; one for another tab is not', () => {
    const here = initialRouting<string>('b', looking(1));
    expect(stepRouting(here, { type: 'routed', from: 'L', to: 'b', callId: 'c', popup: 'p' }).effects).toEqual([
      { kind: 'display', popup: 'p', callId: 'c' },
      { kind: 'post', body: { type: 'popup-ack', to: 'L', callId: 'c' } },
    ]);
    expect(stepRouting(here, { type: 'routed', from: 'L', to: 'x', callId: 'c', popup: 'p' }).effects).toEqual([]);
  });
  test('attention: reported when it changes, kept while the user keeps looking; the end of a term cancels every wait', () => {
    const here = initialRouting<string>('L', { kind: 'hidden' });
    const look = stepRouting(here, { type: 'look', attention: looking(9) });
    expect(look.effects).toEqual([{ kind: 'post', body: { type: 'attention', attention: looking(9) } }]);
    expect(stepRouting(look.state, { type: 'look', attention: looking(9) }).effects).toEqual([]);
    const two = [['b', looking(5)] as [string, Attention]];
    let state = base(two);
    for (const callId of ['c1', 'c2']) state = stepRouting(state, { type: 'show', popup: 'p', callId }).state;
    expect(stepRouting(state, { type: 'term-ended' }).effects).toEqual([{ kind: 'cancel-ack-timer', callId: 'c1' }, { kind: 'cancel-ack-timer', callId: 'c2' }]);
    expect([...stepRouting(state, { type: 'isolated' }).state.tabs.keys()]).toEqual(['L']);
  });
});

test('notified: a new mark is posted once; learnt ids are kept quietly', () => {
  const marked = stepNotified(initialNotified, { type: 'mark', callId: 'c' });
  expect(marked.effects).toEqual([{ kind: 'post-mark', callId: 'c' }]);
  expect(stepNotified(marked.state, { type: 'mark', callId: 'c' }).effects).toEqual([]);
  const learnt = stepNotified(marked.state, { type: 'learn', ids: ['d', 'c'] });
  expect(learnt).toEqual({ state: { ids: ['c', 'd'] }, effects: [] });
});

test('sharing: the leader posts and delivers its state; a follower delivers what it receives; both keep the last', () => {
  expect(stepSharing({ last: null }, { type: 'publish', state: 1 })).toEqual({ state: { last: 1 }, effects: [{ kind: 'post', body: { type: 'state', state: 1 } }, { kind: 'deliver', state: 1 }] });
  expect(stepSharing({ last: 1 }, { type: 'received', state: 2 })).toEqual({ state: { last: 2 }, effects: [{ kind: 'deliver', state: 2 }] });
});

describe('session', () => {
  type In = SessionInput<string, string>;
  const run = (inputs: In[], from: SessionState<string, string> = initialSession('me', 'locks', { kind: 'hidden' })) => {
    let state = from;
    const effects: Array<SessionEffect<string, string>> = [];
    for (const input of inputs) {
      const out = stepSession(state, input);
      state = out.state;
      effects.push(...out.effects);
    }
    return { state, effects };
  };
  const msg = (from: string, body: object): In => ({ type: 'message', message: { v: 1, key: 'k', from, ...body } as never });

  test('a new leader announces itself with the handover and the last state, then leads with the handed-over ids', () => {
    const { effects } = run([{ type: 'start' }, msg('old', { type: 'state', state: 's1' }), msg('old', { type: 'mark', list: 'notified', callId: 'n1' }), { type: 'elected' }]);
    expect(effects.slice(-2)).toEqual([
      { kind: 'post', body: { type: 'snapshot', state: 's1', handover: { popped: [], notified: ['n1'] } } },
      { kind: 'lead', term: 1, notifiedIds: ['n1'] },
    ]);
  });
  test('a stale term cannot show or publish', () => {
    const { state } = run([{ type: 'start' }, { type: 'elected' }, { type: 'deposed', leadIds: [] }, { type: 'elected' }]);
    expect(stepSession(state, { type: 'show', term: 1, popup: 'p', callId: 'c' })).toEqual({
      state,
      effects: [{ kind: 'log', level: 'warn', message: 'tabs: showPopup after the leadership ended', context: { callId: 'c' } }],
    });
    expect(kinds(stepSession(state, { type: 'publish', term: 1, state: 's' }).effects)).toEqual(['log']);
    expect(kinds(stepSession(state, { type: 'publish', term: 2, state: 's' }).effects)).toEqual(['post', 'deliver']);
  });
  test('stop: the ending handle ids join the goodbye, then the election and channel go; nothing moves after', () => {
    const { state, effects } = run([{ type: 'start' }, { type: 'elected' }, { type: 'stop', leadIds: ['h1'] }]);
    expect(effects.slice(-3)).toEqual([
      { kind: 'end-lead', term: 1 },
      { kind: 'post', body: { type: 'bye', wasLeader: true, handover: { popped: [], notified: ['h1'] } } },
      { kind: 'release' },
    ]);
    expect(stepSession(state, { type: 'elected' }).effects).toEqual([]);
  });
  test('messages from this tab itself are ignored; a hello to a leader is answered with a snapshot', () => {
    const leading = run([{ type: 'start' }, { type: 'elected' }]).state;
    expect(stepSession(leading, msg('me', { type: 'hello', attention: looking(1) })).effects).toEqual([]);
    expect(kinds(stepSession(leading, msg('b', { type: 'hello', attention: looking(1) })).effects)).toEqual(['post']);
  });
});

describe('lease machine', () => {
  const timing = defaultTabTiming;
  const free = { kind: 'free' } as const;
  const mine = { kind: 'mine' } as const;
  const held = { kind: 'held', by: 'b' } as const;
  const step = (state: LeasePhase, input: Parameters<typeof stepLease>[1]) => stepLease(state, input, timing);

  test('a free lease: write the claim, settle, read back mine, write again, lead', () => {
    const claim = step({ phase: 'idle' }, { type: 'start', verdict: free });
    expect(claim).toEqual({ state: { phase: 'claiming' }, effects: [{ kind: 'write' }] });
    const settle = step(claim.state, { type: 'written', ok: true });
    expect(settle).toEqual({ state: { phase: 'settling' }, effects: [{ kind: 'tick-in', ms: timing.settleMs }] });
    const confirm = step(settle.state, { type: 'tick', verdict: mine });
    expect(confirm.effects).toEqual([{ kind: 'write' }]);
    expect(step(confirm.state, { type: 'written', ok: true })).toEqual({ state: { phase: 'leading' }, effects: [{ kind: 'tick-in', ms: timing.renewMs }, { kind: 'elected' }] });
  });
  test('another writer won the settle, or a write failed: follow and check again', () => {
    const follow = { state: { phase: 'following' }, effects: [{ kind: 'tick-in', ms: timing.checkMs }] };
    expect(step({ phase: 'settling' }, { type: 'tick', verdict: held })).toEqual(follow);
    expect(step({ phase: 'claiming' }, { type: 'written', ok: false })).toEqual(follow);
    expect(step({ phase: 'confirming' }, { type: 'written', ok: false })).toEqual(follow);
    expect(step({ phase: 'idle' }, { type: 'start', verdict: held })).toEqual(follow);
  });
  test('a leader renews, and steps down when another tab holds a live record', () => {
    expect(step({ phase: 'leading' }, { type: 'tick', verdict: mine }).effects).toEqual([{ kind: 'write' }, { kind: 'tick-in', ms: timing.renewMs }]);
    expect(step({ phase: 'leading' }, { type: 'written', ok: false }).effects).toEqual([]);
    expect(kinds(step({ phase: 'leading' }, { type: 'tick', verdict: held }).effects)).toEqual(['log', 'tick-in', 'deposed']);
  });
  test('nudge checks only while following; stop removes the record only if it is this tab\'s', () => {
    expect(step({ phase: 'leading' }, { type: 'nudge', verdict: free }).effects).toEqual([]);
    expect(step({ phase: 'following' }, { type: 'nudge', verdict: free }).effects).toEqual([{ kind: 'write' }]);
    expect(step({ phase: 'leading' }, { type: 'stop', verdict: mine }).effects).toEqual([{ kind: 'cancel-tick' }, { kind: 'remove' }]);
    expect(step({ phase: 'leading' }, { type: 'stop', verdict: held }).effects).toEqual([{ kind: 'cancel-tick' }]);
    expect(step({ phase: 'following' }, { type: 'stop', verdict: mine }).effects).toEqual([{ kind: 'cancel-tick' }]);
    expect(step({ phase: 'stopped' }, { type: 'start', verdict: free }).effects).toEqual([]);
  });
});
