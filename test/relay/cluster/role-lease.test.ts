/**
 * A role's lease (cluster/role-lease.ts) against a backend double: its listeners hear taken,
 * lost (another node holds it), unreachable (a holder's renewal failed) and stopped, each once.
 */
import { createRoleLease } from '../../../relay/src/cluster/role-lease';
import type { ClusterBackend } from '../../../relay/src/cluster/backend';
import type { RoleChange } from '../../../relay/src/cluster-link';

afterEach(() => jest.useRealTimers());

test('taken, unreachable, taken again, lost, taken, stopped; a node that never held hears nothing of an outage', async () => {
  jest.useFakeTimers();
  let answer: 'mine' | 'theirs' | 'down' = 'theirs';
  const released: string[] = [];
  const backend = {
    holdLease: async () => {
      if (answer === 'down') throw new Error('ECONNREFUSED');
      return answer === 'mine';
    },
    releaseLease: async (name: string) => void released.push(name),
  } as unknown as ClusterBackend;
  const heard: Array<[boolean, RoleChange]> = [];
  const lease = createRoleLease({ backend, name: 'pbx', nodeId: 'n1', ttlMs: 300, log: () => undefined });
  lease.onChange((holding, why) => heard.push([holding, why]));
  lease.start();
  const step = async (next: typeof answer) => {
    answer = next;
    await jest.advanceTimersByTimeAsync(100);
  };
  await step('theirs');
  await step('down'); // never held: nothing to say
  await step('theirs');
  expect(heard).toEqual([]);
  await step('mine');
  await step('down');
  await step('down');
  await step('mine');
  await step('down');
  await step('theirs');
  await step('mine');
  expect(lease.holding()).toBe(true);
  await lease.stop();
  expect(heard).toEqual([[true, 'taken'], [false, 'unreachable'], [true, 'taken'], [false, 'unreachable'], [false, 'lost'], [true, 'taken'], [false, 'stopped']]);
  expect(released).toEqual(['pbx']);
});
