/**
 * Asks through the shared log (cluster/role-asks.ts), between nodes whose log is an array every
 * node reads in order: the holder answers once, before the deadline only; the asker gets its own
 * answer and nobody else's; no holder means null at the timeout; Redis refusing the ask means null at once.
 */
import { RoleAsks } from '../../../relay/src/cluster/role-asks';
import type { LogEntry } from '../../../relay/src/cluster/log-entry';
import { decodeEntry, encodeEntry } from '../../../relay/src/cluster/log-entry';

type Message = Extract<LogEntry, { kind: 'ask' | 'answer' }>;

function cluster(names: string[], clock = { ms: 1_000 }) {
  const log: Message[] = [];
  const nodes = new Map<string, RoleAsks>();
  const logs: string[] = [];
  let refuse = false;
  for (const nodeId of names) {
    nodes.set(nodeId, new RoleAsks({
      nodeId,
      now: () => clock.ms,
      append: async (entry) => {
        if (refuse) throw new Error('ECONNREFUSED');
        // Through the codec, as Redis would carry it.
        const decoded = decodeEntry(encodeEntry(entry));
        if (!decoded.ok) throw new Error(decoded.reason);
        log.push(decoded.entry as Message);
      },
      log: (message) => logs.push(message),
    }));
  }
  /** Every node reads what was appended since the last delivery. */
  let delivered = 0;
  const deliver = async () => {
    for (let rounds = 0; rounds < 10; rounds += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      while (delivered < log.length) {
        const entry = log[delivered++] as Message;
        for (const node of nodes.values()) node.read(entry);
      }
    }
  };
  return { node: (name: string) => nodes.get(name) as RoleAsks, log, logs, deliver, clock, refuse: (on: boolean) => (refuse = on) };
}

afterEach(() => jest.useRealTimers());

test('the holder answers an ask from another node once, and only the asker settles', async () => {
  const c = cluster(['a', 'b', 'c']);
  const served: unknown[] = [];
  c.node('b').answer('pbx', (body) => (served.push(body), Promise.resolve({ ok: true, echo: body })));
  c.node('c').answer('pbx', () => null); // stands by
  const asked = c.node('a').ask('pbx', { number: '+15550100' }, 5_000);
  await c.deliver();
  await expect(asked).resolves.toEqual({ ok: true, echo: { number: '+15550100' } });
  expect(served).toEqual([{ number: '+15550100' }]);
  expect(c.log.map((e) => e.kind)).toEqual(['ask', 'answer']);
  // The same ask read again (a second reader, a replay) is not served twice.
  c.node('b').read(c.log[0] as Message);
  await c.deliver();
  expect(served).toHaveLength(1);
  expect(c.node('a').size).toBe(0);
});

test('an ask read after its deadline is left alone (nobody waits for it any more)', async () => {
  const c = cluster(['a', 'b']);
  const served: unknown[] = [];
  c.node('b').answer('pbx', (body) => (served.push(body), Promise.resolve('late')));
  jest.useFakeTimers({ doNotFake: ['setImmediate'] });
  const asked = c.node('a').ask('pbx', 1, 5_000);
  c.clock.ms += 5_000; // b reads it only now
  jest.advanceTimersByTime(5_000);
  await c.deliver();
  await expect(asked).resolves.toBeNull();
  expect(served).toEqual([]);
});

test('no node holds the role: the ask is answered null at its timeout, and its waiter goes', async () => {
  const c = cluster(['a', 'b']);
  jest.useFakeTimers({ doNotFake: ['setImmediate'] });
  const asked = c.node('a').ask('pbx', 1, 8_000);
  await c.deliver();
  expect(c.node('a').size).toBe(1);
  jest.advanceTimersByTime(7_999);
  expect(c.node('a').size).toBe(1);
  jest.advanceTimersByTime(1);
  await expect(asked).resolves.toBeNull();
  expect(c.node('a').size).toBe(0);
});

test('Redis refuses the ask: null at once, said in the log; a handler that throws is logged, not fatal', async () => {
  const c = cluster(['a', 'b']);
  c.refuse(true);
  await expect(c.node('a').ask('pbx', 1, 60_000)).resolves.toBeNull();
  expect(c.logs).toContain('relay: an ask to the cluster could not be written to Redis');
  c.refuse(false);
  c.node('b').answer('pbx', () => {
    throw new Error('boom');
  });
  const asked = c.node('a').ask('pbx', 1, 50);
  await c.deliver();
  expect(c.logs).toContain('relay: a cluster ask\'s handler failed');
  await expect(asked).resolves.toBeNull();
});

test('closing answers every waiting ask null', async () => {
  const c = cluster(['a']);
  const asked = c.node('a').ask('pbx', 1, 60_000);
  c.node('a').close();
  await expect(asked).resolves.toBeNull();
});

test('asks and answers read back from Redis are checked: no id, role, node or deadline is refused', () => {
  expect(decodeEntry(JSON.stringify({ k: 'a', n: 1, i: 'x', r: 'pbx', f: 'node-1', d: 9 }))).toMatchObject({ ok: true, entry: { kind: 'ask', body: null } });
  for (const bad of [{ k: 'a', n: 1, r: 'pbx', f: 'n', d: 9 }, { k: 'a', n: 1, i: 'x', r: 'p b', f: 'n', d: 9 }, { k: 'a', n: 1, i: 'x', r: 'pbx', f: 'n' }, { k: 'r', n: 1, i: 'x' }, { k: 'r', n: 1, i: 'x'.repeat(200), t: 'n' }]) {
    expect(decodeEntry(JSON.stringify(bad)).ok).toBe(false);
  }
});
