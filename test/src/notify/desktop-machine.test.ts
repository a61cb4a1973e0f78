/** The desktop notification's decisions, as data: inputs in, effects out; no clock, no browser. */
import type { CallChange, CallEvent } from '../../../src/feed/types';
import { DESKTOP_LIMITS, initialDesktopState, offersPermission, stepDesktop } from '../../../src/notify/desktop-machine';
import type { DesktopEffect, DesktopInput, DesktopState } from '../../../src/notify/desktop-machine';
import type { DesktopPermission } from '../../../src/notify/desktop-types';
import type { LookupResult } from '../../../src/lookup/types';
import { callEvent, entity, found, notFound, failed, NUMBER } from './fixtures';

/** Runs the inputs from the start; answers the last state and every effect, in order. */
function run(inputs: DesktopInput[], state: DesktopState = initialDesktopState): { state: DesktopState; effects: DesktopEffect[] } {
  const effects: DesktopEffect[] = [];
  for (const input of inputs) {
    const out = stepDesktop(state, input);
    state = out.state;
    effects.push(...out.effects);
  }
  return { state, effects };
}

const change = (overrides: Partial<CallEvent> = {}, leg?: string): DesktopInput => {
  const c: CallChange = leg === undefined ? { kind: 'state', call: callEvent(overrides), previous: null } : { kind: 'state', call: callEvent(overrides), previous: null, leg };
  return { kind: 'change', change: c };
};
const vanished = (overrides: Partial<CallEvent> = {}): DesktopInput => ({ kind: 'change', change: { kind: 'vanished', call: callEvent(overrides) } });
const displayed = (hidden: boolean, permission: DesktopPermission = 'granted', callId = 'c1'): DesktopInput => ({ kind: 'displayed', callId, hidden, permission });
const ADAM = found(entity('contact', 42, 'Adam Noah'));
const kinds = (effects: DesktopEffect[]) => effects.map((e) => e.kind);

describe('when a notification shows', () => {
  test('an inbound ringing call whose pop-up lands in this hidden tab, with the permission: one, with the lookup it had', () => {
    const out = run([change(), { kind: 'looked-up', phone: callEvent().phone, result: ADAM }, displayed(true)]);
    expect(out.effects).toEqual([{ kind: 'show', callId: 'c1', call: callEvent(), lookup: ADAM }]);
  });

  test('the lookup not back yet when the pop-up showed: the notification names the number, as the pop-up did', () => {
    const out = run([change(), displayed(true), { kind: 'looked-up', phone: callEvent().phone, result: ADAM }]);
    expect(out.effects).toEqual([{ kind: 'show', callId: 'c1', call: callEvent(), lookup: null }]);
  });

  test.each<[string, DesktopInput[]]>([
    ['this tab is visible (the user may look at it)', [change(), displayed(false)]],
    ['the permission is default (never asked)', [change(), displayed(true, 'default')]],
    ['the permission is denied', [change(), displayed(true, 'denied')]],
    ['the browser has no notifications', [change(), displayed(true, 'unsupported')]],
    ['an outbound call', [change({ direction: 'outbound' }), displayed(true)]],
    ['the pop-up came after the call was answered', [change(), change({ state: 'answered' }), displayed(true)]],
    ['the pop-up came after the call ended', [change(), change({ state: 'ended', result: 'missed' }), displayed(true)]],
    ['a pop-up of another call (a missed-call pop-up)', [change(), displayed(true, 'granted', 'c1:missed')]],
    ['a call first seen answered (no pop-up of its own)', [change({ state: 'answered' }), displayed(true)]],
  ])('none when %s', (_, inputs) => {
    expect(run(inputs).effects).toEqual([]);
  });

  test('once per call: a second display of the same pop-up (a retry, another leader) shows nothing', () => {
    expect(kinds(run([change(), displayed(true), displayed(true)]).effects)).toEqual(['show']);
    // Displayed first in a visible tab, then again while hidden: the user had the pop-up, no notification.
    expect(run([change(), displayed(false), displayed(true)]).effects).toEqual([]);
  });

  test('a replayed ring of a call that is over is not a new call', () => {
    const out = run([change(), change({ state: 'ended', result: 'missed' }), change(), displayed(true)]);
    expect(out.effects).toEqual([]);
  });

  test('a second leg ringing does not make a second notification', () => {
    const out = run([change({}, 'c1/101'), displayed(true), change({ extension: '102' }, 'c1/102')]);
    expect(kinds(out.effects)).toEqual(['show']);
  });
});

describe('when it closes', () => {
  const shown = run([change(), { kind: 'looked-up', phone: callEvent().phone, result: ADAM }, displayed(true)]).state;

  test.each<[string, DesktopInput]>([
    ['answered', change({ state: 'answered' })],
    ['ended unanswered', change({ state: 'ended', result: 'missed' })],
    ['vanished from the feed', vanished()],
  ])('%s: closed, and forgotten', (_, input) => {
    const out = run([input], shown);
    expect(out.effects).toEqual([{ kind: 'close', callId: 'c1' }]);
    expect(out.state.calls.size).toBe(0);
    // Whatever the feed repeats after, nothing more.
    expect(run([input, change({ state: 'ended', result: 'answered' })], shown).effects).toHaveLength(1);
  });

  test('a ring group: one leg ending keeps it while another rings; answered on any leg closes it', () => {
    const group = run([change({}, 'c1/101'), change({ extension: '102' }, 'c1/102'), displayed(true)]).state;
    expect(run([change({ state: 'ended', result: 'missed' }, 'c1/101')], group).effects).toEqual([]);
    expect(run([change({ state: 'ended', result: 'missed' }, 'c1/101'), change({ state: 'ended', result: 'missed', extension: '102' }, 'c1/102')], group).effects).toEqual([{ kind: 'close', callId: 'c1' }]);
    expect(run([change({ state: 'answered', extension: '102' }, 'c1/102')], group).effects).toEqual([{ kind: 'close', callId: 'c1' }]);
  });

  test('dismissed by the user: the answer later closes nothing more', () => {
    expect(run([{ kind: 'dismissed', callId: 'c1' }, change({ state: 'answered' })], shown).effects).toEqual([]);
  });

  test('never shown (the tab was visible): the end closes nothing', () => {
    const seen = run([change(), displayed(false)]).state;
    expect(run([change({ state: 'ended', result: 'answered' })], seen).effects).toEqual([]);
  });

  test('stop (the leadership ends): every notification still shown is closed', () => {
    const two = run([change({ callId: 'c2' }), displayed(true, 'granted', 'c2')], shown).state;
    const out = run([{ kind: 'stop' }], two);
    expect(out.effects).toEqual([{ kind: 'close', callId: 'c1' }, { kind: 'close', callId: 'c2' }]);
    expect(out.state).toEqual(initialDesktopState);
  });
});

describe('the click', () => {
  const shownWith = (result: LookupResult) => run([change(), { kind: 'looked-up', phone: callEvent().phone, result }, displayed(true)]).state;

  test('opens the card in this tab, then closes the notification', () => {
    expect(run([{ kind: 'clicked', callId: 'c1' }], shownWith(ADAM)).effects).toEqual([
      { kind: 'open', path: '/contacts/detail/42' },
      { kind: 'close', callId: 'c1' },
    ]);
  });

  test('a lead: its own card (the pop-up links the lead first)', () => {
    const state = shownWith(found(entity('lead', 7, 'First patch'), entity('company', 9, 'Lama')));
    expect(run([{ kind: 'clicked', callId: 'c1' }], state).effects[0]).toEqual({ kind: 'open', path: '/leads/detail/7' });
  });

  test('an unknown number: "create contact" with the number; a failed lookup: just the tab', () => {
    expect(run([{ kind: 'clicked', callId: 'c1' }], shownWith(notFound())).effects[0]).toEqual({ kind: 'open', path: `/contacts/add/?phone=${encodeURIComponent(NUMBER.e164)}` });
    expect(run([{ kind: 'clicked', callId: 'c1' }], shownWith(failed())).effects[0]).toEqual({ kind: 'open', path: null });
  });

  test('a second click, or one after the call ended, does nothing', () => {
    const state = shownWith(ADAM);
    expect(kinds(run([{ kind: 'clicked', callId: 'c1' }, { kind: 'clicked', callId: 'c1' }], state).effects)).toEqual(['open', 'close']);
    expect(kinds(run([change({ state: 'answered' }), { kind: 'clicked', callId: 'c1' }], state).effects)).toEqual(['close']);
  });
});

test('bounded: a feed that never ends its calls keeps at most maxCalls, closing the oldest it drops', () => {
  const inputs: DesktopInput[] = [change({ callId: 'old' }), displayed(true, 'granted', 'old')];
  for (let i = 0; i < DESKTOP_LIMITS.maxCalls; i++) inputs.push(change({ callId: `n${i}` }));
  const out = run(inputs);
  expect(out.state.calls.size).toBe(DESKTOP_LIMITS.maxCalls);
  expect(out.state.calls.has('old')).toBe(false);
  expect(out.effects.filter((e) => e.kind === 'close')).toEqual([{ kind: 'close', callId: 'old' }]);
});

test('the permission offer: in the first pop-up of an incoming call still ringing, only while the browser has not been asked', () => {
  const ringing = run([change()]).state;
  expect(offersPermission(ringing, 'c1', 'default', false)).toBe(true);
  expect(offersPermission(ringing, 'c1', 'default', true)).toBe(false);
  for (const permission of ['granted', 'denied', 'unsupported'] as const) expect(offersPermission(ringing, 'c1', permission, false)).toBe(false);
  // Not an incoming call's ringing pop-up: an outbound call, a missed-call pop-up, one without an id, a call answered.
  expect(offersPermission(run([change({ direction: 'outbound' })]).state, 'c1', 'default', false)).toBe(false);
  expect(offersPermission(ringing, 'c1:missed', 'default', false)).toBe(false);
  expect(offersPermission(ringing, undefined, 'default', false)).toBe(false);
  expect(offersPermission(run([change(), change({ state: 'answered' })]).state, 'c1', 'default', false)).toBe(false);
});
