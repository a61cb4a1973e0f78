/**
 * Tabs without Web Locks: the localStorage lease, with BroadcastChannel or, where that is
 * missing too, storage events as the channel.
 */
import { leaseStorageKey, messageStorageKey } from '../../../src/tabs/timing';
import { defaultTabTiming } from '../../../src/tabs';
import { ChannelHub, FakePage, popup, SimTab, state, StorageHub, type World } from './doubles';

const settle = () => jest.advanceTimersByTimeAsync(20);
const KEY = 'acc1:user1';

describe.each([
  ['storage events', { storageChannel: true }],
  ['BroadcastChannel', { storageChannel: false }],
])('lease with %s as the channel', (_name, variant) => {
  let world: World;
  let tabs: SimTab[];
  const open = (id: string, key?: string, page?: FakePage) => {
    const tab = new SimTab(world, id, key, page);
    tabs.push(tab);
    return tab;
  };
  const leaders = (list = tabs) => list.filter((t) => t.leading).map((t) => t.id);
  /** The lease claim takes a settle delay: let elections finish. */
  const elect = () => jest.advanceTimersByTimeAsync(defaultTabTiming.settleMs + 50);

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    world = { storage: new StorageHub(), channels: new ChannelHub(), storageChannel: variant.storageChannel };
    tabs = [];
  });

  afterEach(() => {
    for (const tab of tabs) tab.session.stop();
    jest.useRealTimers();
  });

  test('among five tabs exactly one leads, and keeps leading', async () => {
    for (let i = 1; i <= 5; i++) open(`t${i}`);
    await elect();
    expect(leaders()).toEqual(['t1']);
    expect(tabs.every((t) => t.session.mode === 'lease')).toBe(true);
    expect(tabs.slice(1).map((t) => t.session.role)).toEqual(tabs.slice(1).map(() => ({ role: 'follower', leaderId: 't1' })));
    await jest.advanceTimersByTimeAsync(30_000);
    expect(leaders()).toEqual(['t1']);
    expect(tabs[0]!.terms).toHaveLength(1);
  });

  test('a crashed leader is replaced within 2 s, by one tab, with the notified ids', async () => {
    const [a, b, c] = [open('a'), open('b'), open('c')];
    await elect();
    a.ctx.markNotified('call-1');
    await jest.advanceTimersByTimeAsync(321); // crash at an arbitrary point of the renew cycle
    const crashedAt = Date.now();
    a.crash();
    await jest.advanceTimersByTimeAsync(2000);
    const successors = leaders([b, c]);
    expect(successors).toHaveLength(1);
    const next = successors[0] === 'b' ? b : c;
    expect(next.terms[0]!.startedAt - crashedAt).toBeLessThan(2000);
    expect(next.ctx.wasNotified('call-1')).toBe(true);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(leaders([b, c])).toEqual(successors);
  });

  test('a leader that closes removes its lease and a follower claims at once', async () => {
    const [a, b] = [open('a'), open('b')];
    await elect();
    const closedAt = Date.now();
    a.page.close();
    await elect();
    expect(leaders()).toEqual(['b']);
    expect(b.terms[0]!.startedAt - closedAt).toBeLessThan(defaultTabTiming.checkMs);
    expect(world.storage!.read(leaseStorageKey(KEY))).toContain('"tabId":"b"');
  });

  test('the pop-up goes to the focused tab, once; the leader shows it when none is', async () => {
    const [a, b] = [open('a'), open('b', undefined, new FakePage(true, true))];
    await elect();
    a.ctx.showPopup(popup('Adam Noah'), 'call-1');
    a.ctx.showPopup(popup('Adam Noah'), 'call-1');
    await settle();
    b.page.set(false, false);
    await settle();
    a.ctx.showPopup(popup('Eve'), 'call-2');
    await jest.advanceTimersByTimeAsync(3000);
    expect(b.displayed).toEqual([popup('Adam Noah')]);
    expect(a.displayed).toEqual([popup('Eve')]);
  });

  test('a new tab gets the calls in progress at once', async () => {
    const a = open('a');
    await elect();
    a.ctx.publish(state(['call-1']));
    const late = open('late');
    await settle();
    expect(late.states).toEqual([state(['call-1'])]);
  });

  test('two users in one browser have a lease each', async () => {
    const [a1, b1, a2, b2] = [open('a1', 'acc1:user1'), open('b1', 'acc1:user1'), open('a2', 'acc1:user2'), open('b2', 'acc1:user2')];
    await elect();
    expect(leaders([a1, b1])).toEqual(['a1']);
    expect(leaders([a2, b2])).toEqual(['a2']);
  });

  test('stop() leaves no timer or listener behind', async () => {
    const [a, b] = [open('a'), open('b')];
    await elect();
    a.session.stop();
    b.session.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(a.openResources()).toBe(0);
    expect(b.openResources()).toBe(0);
    expect(world.storage!.read(leaseStorageKey(KEY))).toBeNull();
  });
});

describe('lease races', () => {
  let tabs: SimTab[] = [];
  afterEach(() => {
    for (const tab of tabs) tab.session.stop();
    tabs = [];
    jest.useRealTimers();
  });

  test('tabs that claim in the same moment (writes not yet visible) end with one leader: the last writer', async () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    // Writes land 20 ms late, as between renderer processes: all three see a free lease.
    const world: World = { storage: new StorageHub(20), channels: new ChannelHub() };
    tabs = ['a', 'b', 'c'].map((id) => new SimTab(world, id));
    await jest.advanceTimersByTimeAsync(defaultTabTiming.settleMs + 30);
    expect(tabs.filter((t) => t.leading).map((t) => t.id)).toEqual(['c']);
    expect(tabs.flatMap((t) => t.terms)).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(20_000);
    expect(tabs.filter((t) => t.leading).map((t) => t.id)).toEqual(['c']);
  });

  test('a leader that finds another tab in the lease steps down (split brain heals)', async () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const world: World = { storage: new StorageHub(), channels: new ChannelHub() };
    tabs = [new SimTab(world, 'a'), new SimTab(world, 'b')];
    const [a, b] = tabs as [SimTab, SimTab];
    await jest.advanceTimersByTimeAsync(200);
    expect(a.leading).toBe(true);
    // b's claim won somewhere a did not see it in time.
    world.storage!.write('b', leaseStorageKey(KEY), JSON.stringify({ tabId: 'b', expiresAt: Date.now() + defaultTabTiming.leaseTtlMs }));
    await jest.advanceTimersByTimeAsync(defaultTabTiming.renewMs + defaultTabTiming.checkMs);
    expect(a.leading).toBe(false);
    expect(b.leading).toBe(true);
    expect(a.session.role.role).toBe('follower');
  });

  test('an unreadable or absurd lease record does not block the election', async () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const world: World = { storage: new StorageHub(), channels: new ChannelHub() };
    world.storage!.write('x', leaseStorageKey(KEY), JSON.stringify({ tabId: 'ghost', expiresAt: Date.now() + 86_400_000 }));
    tabs = [new SimTab(world, 'a')];
    await jest.advanceTimersByTimeAsync(200);
    expect(tabs[0]!.leading).toBe(true);
  });
});

test('storage-event channel: junk in the message key is dropped with a log line', async () => {
  jest.useFakeTimers({ now: 1_700_000_000_000 });
  const world: World = { storage: new StorageHub(), storageChannel: true };
  const tabs = [new SimTab(world, 'a'), new SimTab(world, 'b')];
  try {
    await jest.advanceTimersByTimeAsync(200);
    world.storage!.write('x', messageStorageKey(KEY), '{not json');
    world.storage!.write('x', messageStorageKey(KEY), JSON.stringify({ n: 1, m: { v: 1, key: KEY, from: 'x', type: 'popup', to: 'b' } }));
    await jest.advanceTimersByTimeAsync(20);
    expect(tabs[1]!.logs.map((l) => l.message)).toEqual(expect.arrayContaining(['tabs: dropped a message that is not JSON', 'tabs: ignored a message from another tab']));
    expect(tabs[1]!.displayed).toEqual([]);
    expect(tabs.filter((t) => t.leading)).toHaveLength(1);
  } finally {
    for (const tab of tabs) tab.session.stop();
    jest.useRealTimers();
  }
});

test('storage-event channel: every tab gets the leader\'s state, and no message stays in localStorage (a ticket in it would outlive its use)', async () => {
  jest.useFakeTimers({ now: 1_700_000_000_000 });
  const world: World = { storage: new StorageHub(), storageChannel: true };
  const tabs = [new SimTab(world, 'a'), new SimTab(world, 'b'), new SimTab(world, 'c')];
  try {
    await jest.advanceTimersByTimeAsync(200);
    const leader = tabs.find((t) => t.leading)!;
    leader.ctx.publish(state(['call-1']));
    leader.ctx.markNotified('call-1');
    await jest.advanceTimersByTimeAsync(20);
    for (const tab of tabs) expect(tab.states).toContainEqual(state(['call-1']));
    expect(world.storage!.read(messageStorageKey(KEY))).toBeNull();
  } finally {
    for (const tab of tabs) tab.session.stop();
    jest.useRealTimers();
  }
});
