/** Tabs with Web Locks and BroadcastChannel (today's browsers), on in-memory doubles. */
import { ChannelHub, FakePage, LockHub, popup, SimTab, state, type World } from './doubles';

/** Lets the "browser" deliver messages and grant locks (a few tasks, a few ms). */
const settle = () => jest.advanceTimersByTimeAsync(20);

let world: World;
let tabs: SimTab[];

function open(id: string, key?: string, page?: FakePage): SimTab {
  const tab = new SimTab(world, id, key, page);
  tabs.push(tab);
  return tab;
}

const leaders = (list = tabs) => list.filter((t) => t.leading).map((t) => t.id);

beforeEach(() => {
  jest.useFakeTimers({ now: 1_700_000_000_000 });
  world = { locks: new LockHub(), channels: new ChannelHub() };
  tabs = [];
});

afterEach(() => {
  for (const tab of tabs) tab.session.stop();
  jest.useRealTimers();
});

test('among five tabs exactly one leads and the others follow it', async () => {
  for (let i = 1; i <= 5; i++) open(`t${i}`);
  await settle();
  expect(leaders()).toEqual(['t1']);
  expect(tabs.map((t) => t.session.role)).toEqual([
    { role: 'leader' },
    ...['t2', 't3', 't4', 't5'].map(() => ({ role: 'follower', leaderId: 't1' })),
  ]);
  expect(tabs.every((t) => t.session.mode === 'locks')).toBe(true);
  await jest.advanceTimersByTimeAsync(10_000);
  expect(leaders()).toEqual(['t1']);
  expect(tabs[0]!.terms).toHaveLength(1);
});

test('when the leader tab closes another takes over at once and announces itself', async () => {
  const [a, b, c] = [open('a'), open('b'), open('c')];
  await settle();
  a.page.close();
  await settle();
  expect(leaders()).toEqual(['b']);
  expect(c.session.role).toEqual({ role: 'follower', leaderId: 'b' });
  expect(a.openResources()).toBe(0);
  expect(b.terms[0]!.startedAt - a.clock.now()).toBeLessThan(2000);
});

test('when the leader tab crashes (no unload) another takes over within 2 s', async () => {
  const [a, b] = [open('a'), open('b')];
  await settle();
  const crashedAt = Date.now();
  a.crash();
  await jest.advanceTimersByTimeAsync(2000);
  expect(leaders()).toEqual(['b']);
  expect(b.terms[0]!.startedAt - crashedAt).toBeLessThan(2000);
});

test('the handover carries the notified and popped call ids, through a crash', async () => {
  const [a, b] = [open('a'), open('b')];
  await settle();
  a.ctx.markNotified('call-1');
  a.ctx.showPopup(popup('Adam Noah'), 'call-2');
  await settle();
  a.crash();
  await settle();
  expect(b.ctx.notifiedIds).toEqual(['call-1']);
  expect(b.ctx.wasNotified('call-1')).toBe(true);
  expect(b.ctx.wasNotified('call-3')).toBe(false);
  // The new leader's feed sees call-2 ringing again after reconnecting: no second pop-up.
  b.ctx.showPopup(popup('Adam Noah'), 'call-2');
  await jest.advanceTimersByTimeAsync(5000);
  expect(a.displayed.length + b.displayed.length).toBe(1);
});

test('a tab that joins late learns the handover and the calls in progress at once', async () => {
  const a = open('a');
  await settle();
  a.ctx.publish(state(['call-1']));
  a.ctx.markNotified('call-0');
  await settle();
  const late = open('late');
  await settle();
  expect(late.states).toEqual([state(['call-1'])]);
  expect(late.session.role).toEqual({ role: 'follower', leaderId: 'a' });
  a.page.close();
  await settle();
  expect(late.ctx.wasNotified('call-0')).toBe(true);
});

test('every publish reaches every tab, leader included', async () => {
  const [a, b, c] = [open('a'), open('b'), open('c')];
  await settle();
  a.ctx.publish(state(['call-1']));
  a.ctx.publish(state(['call-1', 'call-2']));
  await settle();
  for (const tab of [a, b, c]) expect(tab.states).toEqual([state(['call-1']), state(['call-1', 'call-2'])]);
});

test('the pop-up shows once, in the tab the user looks at', async () => {
  const a = open('a');
  const b = open('b', undefined, new FakePage(true, false));
  const c = open('c');
  await settle();
  c.page.set(true, true);
  await settle();
  a.ctx.showPopup(popup('Adam Noah'), 'call-1');
  a.ctx.showPopup(popup('Adam Noah'), 'call-1');
  await jest.advanceTimersByTimeAsync(5000);
  expect(c.displayed).toEqual([popup('Adam Noah')]);
  expect(a.displayed).toEqual([]);
  expect(b.displayed).toEqual([]);
});

test('the pop-up goes to the tab looked at most recently, and follows the user', async () => {
  const [a, b, c] = [open('a'), open('b'), open('c')];
  await settle();
  b.page.set(true, true);
  await jest.advanceTimersByTimeAsync(100);
  c.page.set(true, true); // a second window took focus after b
  await settle();
  a.ctx.showPopup(popup('one'), 'call-1');
  await settle();
  c.page.set(false, false);
  await settle();
  a.ctx.showPopup(popup('two'), 'call-2');
  await settle();
  expect(c.displayed).toEqual([popup('one')]);
  expect(b.displayed).toEqual([popup('two')]);
});

test('with no tab looked at, the leader shows the pop-up itself', async () => {
  const [a, b] = [open('a'), open('b')];
  await settle();
  a.ctx.showPopup(popup('Adam Noah'), 'call-1');
  await jest.advanceTimersByTimeAsync(5000);
  expect(a.displayed).toEqual([popup('Adam Noah')]);
  expect(b.displayed).toEqual([]);
});

test('a pop-up routed to a tab that died is shown by the leader after the ack timeout', async () => {
  const [a, b] = [open('a'), open('b', undefined, new FakePage(true, true))];
  await settle();
  b.crash();
  a.ctx.showPopup(popup('Adam Noah'), 'call-1');
  await jest.advanceTimersByTimeAsync(999);
  expect(a.displayed).toEqual([]);
  await jest.advanceTimersByTimeAsync(1);
  expect(a.displayed).toEqual([popup('Adam Noah')]);
  // That tab is no longer a target until it reports again.
  a.ctx.showPopup(popup('Eve'), 'call-2');
  await settle();
  expect(a.displayed).toEqual([popup('Adam Noah'), popup('Eve')]);
});

test('two Kommo users (or accounts) in one browser never share a leader or messages', async () => {
  const u1 = [open('a1', 'acc1:user1'), open('b1', 'acc1:user1')];
  const u2 = [open('a2', 'acc1:user2'), open('b2', 'acc1:user2')];
  const other = [open('a3', 'acc2:user1')];
  await settle();
  expect(leaders(u1)).toEqual(['a1']);
  expect(leaders(u2)).toEqual(['a2']);
  expect(leaders(other)).toEqual(['a3']);
  u1[0]!.ctx.publish(state(['call-1']));
  await settle();
  expect(u1[1]!.states).toHaveLength(1);
  expect([...u2, ...other].every((t) => t.states.length === 0 || t.leading)).toBe(true);
  expect(u2[1]!.states).toEqual([]);
});

test('a foreign or malformed message is ignored with a log line', async () => {
  const [a, b] = [open('a'), open('b')];
  await settle();
  const name = world.channels!.names()[0]!;
  world.channels!.inject(name, { v: 1, key: 'acc1:user1', from: 'x', type: 'popup', to: 'b', callId: 'c', popup: { header: 1 } });
  world.channels!.inject(name, { v: 1, key: 'acc9:user9', from: 'x', type: 'state', state: state(['c']) });
  world.channels!.inject(name, { v: 99, key: 'acc1:user1', from: 'x', type: 'hello' });
  world.channels!.inject(name, 'junk');
  await settle();
  expect(b.displayed).toEqual([]);
  expect(b.states).toEqual([]);
  const reasons = b.logs.filter((l) => l.message === 'tabs: ignored a message from another tab').map((l) => l.context?.reason);
  expect(reasons).toEqual(['bad popup', 'another account or user', 'protocol version 99', 'not an object']);
  expect(a.leading).toBe(true);
});

test('stop() leaves no timer, listener, channel or lock behind, leader or follower', async () => {
  const [a, b, c] = [open('a'), open('b', undefined, new FakePage(true, true)), open('c')];
  await settle();
  b.crash(); // a pop-up is then pending its ack in the leader
  a.ctx.showPopup(popup('Adam Noah'), 'call-1');
  expect(a.clock.pending).toBeGreaterThan(0);
  a.session.stop();
  c.session.stop();
  await jest.advanceTimersByTimeAsync(5000);
  expect(a.openResources()).toBe(0);
  expect(c.openResources()).toBe(0);
  expect(a.terms[0]!.running).toBe(false);
  expect(c.terms).toEqual([]); // stopped while waiting: it never led
});

test('a stopped leader context does nothing', async () => {
  const [a, b] = [open('a'), open('b', undefined, new FakePage(true, true))];
  await settle();
  const stale = a.ctx;
  a.session.stop();
  await settle();
  stale.showPopup(popup('late'), 'call-9');
  stale.publish(state(['call-9']));
  await jest.advanceTimersByTimeAsync(2000);
  expect(b.displayed).toEqual([]);
  expect(b.states).toEqual([]);
  expect(b.leading).toBe(true);
});

test('notified ids marked or answered by the lead handle reach the successor', async () => {
  const handles: Array<() => string[]> = [() => ['from-handle']];
  world = { locks: new LockHub(), channels: new ChannelHub() };
  const a = new SimTab(world, 'a', undefined, undefined, {
    lead: (ctx) => {
      a.terms.push({ ctx, running: true, startedAt: Date.now() });
      return { stop() {}, notifiedIds: handles[0]! };
    },
  });
  const b = open('b');
  tabs.push(a);
  await settle();
  a.terms[0]!.ctx.markNotified('from-state');
  await settle();
  a.session.stop(); // the goodbye carries the handle's ids
  await settle();
  expect(b.leading).toBe(true);
  expect(b.ctx.wasNotified('from-state')).toBe(true);
  expect(b.ctx.wasNotified('from-handle')).toBe(true);
  expect(b.ctx.notifiedIds).toEqual(expect.arrayContaining(['from-state', 'from-handle']));
});

test('a pop-up without a call id is still routed and shown, just not deduplicated', async () => {
  const [a, b] = [open('a'), open('b', undefined, new FakePage(true, true))];
  await settle();
  a.ctx.showPopup(popup('one'), '');
  a.ctx.showPopup(popup('two'), '');
  await jest.advanceTimersByTimeAsync(3000);
  expect(b.displayed).toEqual([popup('one'), popup('two')]);
  expect(a.displayed).toEqual([]);
});
