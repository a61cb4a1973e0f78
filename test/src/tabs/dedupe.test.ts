/**
 * Each layer that keeps a pop-up or an add_call from happening twice across tabs and leaders,
 * on its own: every test is set up so that the other layers cannot save it.
 */
import { ChannelHub, FakePage, LockHub, popup, SimTab, type World } from './doubles';

const settle = () => jest.advanceTimersByTimeAsync(20);
const KEY = 'acc1:user1';
let world: World;
let tabs: SimTab[];

function open(id: string, page?: FakePage): SimTab {
  const tab = new SimTab(world, id, KEY, page);
  tabs.push(tab);
  return tab;
}
const shown = (id: string) => tabs.reduce((n, tab) => n + tab.displayed.filter((p) => p.text === id).length, 0);
const isMark = (data: unknown) => (data as { type?: string }).type === 'mark';

beforeEach(() => {
  jest.useFakeTimers({ now: 1_700_000_000_000 });
  world = { locks: new LockHub(), channels: new ChannelHub() };
  tabs = [];
});

afterEach(() => {
  for (const tab of tabs) tab.session.stop();
  jest.useRealTimers();
});

test('the leader routes a call id once, even when the user has moved to another tab since', async () => {
  const [a, b, c] = [open('a'), open('b', new FakePage(true, true)), open('c')];
  await settle();
  a.ctx.showPopup(popup('call-1'), 'call-1');
  await settle();
  b.page.set(false, false);
  c.page.set(true, true);
  await settle();
  a.ctx.showPopup(popup('call-1'), 'call-1'); // the feed saw the call ringing again
  await jest.advanceTimersByTimeAsync(3000);
  expect(b.displayed).toEqual([popup('call-1')]);
  expect(c.displayed).toEqual([]);
});

test('marks reach every tab at once: a leader that crashes (no goodbye) leaves its ids behind', async () => {
  const [a, b] = [open('a'), open('b')];
  await settle();
  a.ctx.showPopup(popup('call-1'), 'call-1');
  a.ctx.markNotified('call-1');
  await settle();
  a.crash();
  await settle();
  expect(b.ctx.wasNotified('call-1')).toBe(true);
  expect(b.ctx.notifiedIds).toEqual(['call-1']);
  b.ctx.showPopup(popup('call-1'), 'call-1');
  await jest.advanceTimersByTimeAsync(3000);
  expect(shown('call-1')).toBe(1);
});

test('a tab that joins later gets the ids in the leader\'s snapshot, and keeps them through a crash', async () => {
  const a = open('a');
  await settle();
  a.ctx.showPopup(popup('call-1'), 'call-1');
  a.ctx.markNotified('call-1');
  await settle();
  const late = open('late');
  await settle();
  a.crash();
  await settle();
  expect(late.ctx.wasNotified('call-1')).toBe(true);
  late.ctx.showPopup(popup('call-1'), 'call-1');
  await jest.advanceTimersByTimeAsync(3000);
  expect(shown('call-1')).toBe(1);
});

test('a leaving leader\'s goodbye carries the ids, a mark lost on the way included', async () => {
  const [a, b] = [open('a'), open('b')];
  await settle();
  world.channels!.lose = isMark;
  a.ctx.showPopup(popup('call-1'), 'call-1');
  a.ctx.markNotified('call-1');
  await settle();
  world.channels!.lose = () => false;
  a.page.close();
  await settle();
  expect(b.ctx.wasNotified('call-1')).toBe(true);
  b.ctx.showPopup(popup('call-1'), 'call-1');
  await jest.advanceTimersByTimeAsync(3000);
  expect(shown('call-1')).toBe(1);
});

test('the ids the lead handle answers when its term ends go with the goodbye (filed without a mark)', async () => {
  const a = new SimTab(world, 'a', KEY, undefined, {
    lead: (ctx) => {
      a.terms.push({ ctx, running: true, startedAt: Date.now() });
      return { stop() {}, notifiedIds: () => ['filed-quietly'] };
    },
  });
  tabs.push(a);
  const b = open('b');
  await settle();
  a.session.stop();
  await settle();
  expect(b.ctx.wasNotified('filed-quietly')).toBe(true);
  expect(b.ctx.notifiedIds).toEqual(['filed-quietly']);
});

test('a tab shows a call id once, even when two leaders (a split brain) both route it there', async () => {
  const b = open('b', new FakePage(true, true));
  await settle();
  const name = world.channels!.names()[0]!;
  for (const from of ['x', 'y']) {
    world.channels!.inject(name, { v: 1, key: KEY, from, type: 'popup', to: 'b', callId: 'call-1', popup: popup('call-1') });
  }
  await settle();
  expect(b.displayed).toEqual([popup('call-1')]);
  // Both are acknowledged, so neither shows it again itself.
  const acks = world.channels!.sent.filter((s) => (s.data as { type?: string }).type === 'popup-ack').map((s) => (s.data as { to: string }).to);
  expect(acks).toEqual(['x', 'y']);
});
