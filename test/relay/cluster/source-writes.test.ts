/**
 * The PBX source's events on a cluster node while Redis cannot take them (cluster/source-writes.ts):
 * kept in order, written once Redis is back, bounded, never thrown back at the adapter.
 */
import { createSourceWrites } from '../../../relay/src/cluster/source-writes';
import type { CallEvent } from '../../../src/protocol';
import type { BatchOutcome } from '../../../relay/src/store';

const event = (n: number) => ({ callId: `c${n}`, extension: '101', state: 'ringing', direction: 'inbound', phone: '+15550100', at: n }) as unknown as CallEvent;
const ids = (events: readonly CallEvent[]) => events.map((e) => e.callId);

afterEach(() => jest.useRealTimers());

test('Redis away: the events wait, in order; back: written in order, each once, said in the log', async () => {
  jest.useFakeTimers();
  const written: string[][] = [];
  let up = false;
  const logs: string[] = [];
  const writes = createSourceWrites({
    submit: async (events) => {
      if (!up) throw new Error('ECONNREFUSED');
      written.push(ids(events));
      return { results: [], emitted: [] } as unknown as BatchOutcome;
    },
    now: () => 0,
    log: (m) => logs.push(m),
    retryMs: 1_000,
    maxBatch: 2,
  });
  writes.push([event(1)]);
  await jest.advanceTimersByTimeAsync(0);
  writes.push([event(2), event(3)]);
  expect(writes.waiting()).toBe(3);
  await jest.advanceTimersByTimeAsync(5_000);
  expect(written).toEqual([]);
  expect(logs.filter((m) => m.includes('wait on this node'))).toHaveLength(1); // said once, not every second
  up = true;
  await jest.advanceTimersByTimeAsync(1_000);
  expect(written).toEqual([['c1', 'c2'], ['c3']]);
  expect(writes.waiting()).toBe(0);
  expect(logs.some((m) => m.includes('written to the cluster again'))).toBe(true);
  writes.push([event(4)]);
  await jest.advanceTimersByTimeAsync(0);
  expect(written.at(-1)).toEqual(['c4']);
});

test('past its bound the oldest go, with an error line; close stops the retries', async () => {
  jest.useFakeTimers();
  const logs: string[] = [];
  let tries = 0;
  const writes = createSourceWrites({ submit: async () => (tries++, Promise.reject(new Error('down'))), now: () => 0, log: (m) => logs.push(m), maxEvents: 3 });
  writes.push([event(1), event(2)]);
  await jest.advanceTimersByTimeAsync(0);
  writes.push([event(3), event(4), event(5)]);
  expect(writes.waiting()).toBe(3);
  expect(logs.some((m) => m.startsWith('relay: ERROR too many PBX events wait for Redis'))).toBe(true);
  writes.close();
  const before = tries;
  await jest.advanceTimersByTimeAsync(10_000);
  expect(tries).toBe(before);
  expect(logs.at(-1)).toBe('relay: the node stops with PBX events not written to the cluster');
});
