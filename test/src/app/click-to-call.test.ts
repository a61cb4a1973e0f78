import { createClickToCall } from '../../../src/app/click-to-call';
import type { CreateDialer, Dialer, DialerDeps } from '../../../src/dial';
import { silentLogger } from '../../../src/core/logger';

/** A dialer whose requests the test answers: what was dialled, what was told to wait. */
function recordingDialer() {
  const dialled: string[] = [];
  const waited: string[] = [];
  const pending: Array<() => void> = [];
  const create: CreateDialer = (): Dialer => ({
    dial: (raw) => {
      dialled.push(raw);
      return new Promise((resolve) => pending.push(() => resolve({ kind: 'accepted', extension: '101' })));
    },
    stillStarting: (raw) => waited.push(raw),
  });
  const answerAll = async () => {
    for (const answer of pending.splice(0)) answer();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { create, dialled, waited, answerAll };
}

const deps = { logger: silentLogger } as DialerDeps;

test('a double click dials once; the same number after the answer and 2 s dials again', async () => {
  const d = recordingDialer();
  const c2c = createClickToCall(d.create);
  c2c.dial('+1 830 580 3077', deps, 0);
  c2c.dial('+1 830 580 3077', deps, 120);
  await d.answerAll();
  expect(d.dialled).toEqual(['+1 830 580 3077']);
  c2c.dial('+1 830 580 3077', deps, 1_000);
  expect(d.dialled).toHaveLength(1);
  c2c.dial(' +1 830 580 3077 ', deps, 2_500);
  expect(d.dialled).toEqual(['+1 830 580 3077', '+1 830 580 3077']);
});

test('another number while a call is being started is told to wait, and the first keeps its place', async () => {
  const d = recordingDialer();
  const c2c = createClickToCall(d.create);
  c2c.dial('+1 830 580 3077', deps, 0);
  c2c.dial('+7 495 123 45 67', deps, 300);
  expect(d.waited).toEqual(['+7 495 123 45 67']);
  c2c.dial('+7 495 123 45 67', deps, 400);
  expect(d.dialled).toEqual(['+1 830 580 3077']);
  await d.answerAll();
  c2c.dial('+7 495 123 45 67', deps, 500);
  expect(d.dialled).toEqual(['+1 830 580 3077', '+7 495 123 45 67']);
});

test('nothing to dial (no value, not a string) does nothing; a dialer that throws is logged and frees the gate', async () => {
  const errors: string[] = [];
  let throws = true;
  const dialled: string[] = [];
  const c2c = createClickToCall(() => ({
    dial: async (raw) => {
      if (throws) throw new Error('bug');
      dialled.push(raw);
      return null;
    },
    stillStarting: () => undefined,
  }));
  const logging = { logger: { ...silentLogger, error: (m: string) => void errors.push(m) } } as unknown as DialerDeps;
  for (const value of [undefined, null, 42, '', '   ']) c2c.dial(value, logging, 0);
  expect(dialled).toEqual([]);
  const broken = createClickToCall(() => {
    throw new Error('no dialer');
  });
  broken.dial('+1 830 580 3077', logging, 0);
  expect(errors).toEqual(['dial: failed']);
  c2c.dial('+1 830 580 3077', logging, 0);
  await new Promise((resolve) => setImmediate(resolve));
  throws = false;
  c2c.dial('+1 830 580 3077', logging, 5_000);
  expect(dialled).toEqual(['+1 830 580 3077']);
});
