/**
 * The socket caps as plain rules: over a cluster the other nodes' sockets count, and when the
 * nodes took more together than a cap, each lets go of its share, newest first, so that
 * together they come back to the cap (and no further: a user's other tabs are not cut).
 */
import { SubscriberCaps } from '../../../relay/src/guard/subscriber-caps';

const LIMITS = { maxSubscribers: 100, maxSubscribersPerAddress: 4, maxSubscribersPerUser: 3 };

test('the other nodes\' sockets count against the per-address and per-user caps', () => {
  const others = new Map([['address:198.51.100.1', 3], ['user:1001', 2]]);
  const caps = new SubscriberCaps<string>(LIMITS, (kind, key) => others.get(`${kind}:${key}`) ?? 0);
  expect(caps.take('a', '198.51.100.1', null)).toBeNull();
  expect(caps.take('b', '198.51.100.1', null)).toBe('address');
  expect(caps.take('c', null, '1001')).toBeNull();
  expect(caps.take('d', null, '1001')).toBe('user');
  // Alone, the same node would have taken both.
  const alone = new SubscriberCaps<string>(LIMITS);
  expect([alone.take('b', '198.51.100.1', null), alone.take('b2', '198.51.100.1', null)]).toEqual([null, null]);
});

test('over a cap together, a node lets go of its share of the excess, its newest sockets first', () => {
  let elsewhere = 0;
  const caps = new SubscriberCaps<string>(LIMITS, (kind) => (kind === 'address' ? elsewhere : 0));
  for (const id of ['s1', 's2', 's3', 's4']) expect(caps.take(id, '198.51.100.1', null)).toBeNull();
  expect(caps.excess()).toEqual([]);
  // Another node took 4 at the same time: 8 held, cap 4, this node holds half: it lets go of 2.
  elsewhere = 4;
  expect(caps.excess()).toEqual([
    { item: 's4', cap: 'address', key: '198.51.100.1' },
    { item: 's3', cap: 'address', key: '198.51.100.1' },
  ]);
  // It holds 3 of 5 (one over): its share rounds up to 1.
  elsewhere = 2;
  caps.release('s4');
  expect(caps.excess().map((e) => e.item)).toEqual(['s3']);
});

test('a socket over both caps is let go once', () => {
  let elsewhere = 0;
  const caps = new SubscriberCaps<string>(LIMITS, () => elsewhere);
  expect(caps.take('only', '198.51.100.1', '1001')).toBeNull();
  elsewhere = 10;
  expect(caps.excess()).toEqual([{ item: 'only', cap: 'address', key: '198.51.100.1' }]);
});
