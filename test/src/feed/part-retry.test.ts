/** A widget part fetched until it is there: statuses, backoff, a throwing factory, stop and late answers. */
import { loadPartWithRetry } from '../../../src/feed/part-retry';
import type { PartLoader } from '../../../src/core/part';
import { ManualClock, recordingLogger } from './support';

function setup(random = 0.5) {
  const clock = new ManualClock();
  const downloads: Array<{ loaded: (f: () => string) => void; failed: (e: unknown) => void }> = [];
  const load: PartLoader<() => string> = (loaded, failed) => void downloads.push({ loaded, failed });
  const used: string[] = [];
  const statuses: unknown[] = [];
  const logger = recordingLogger();
  const retry = loadPartWithRetry({ load, use: (f) => used.push(f()), onStatus: (s) => statuses.push(s), what: 'the test part', clock, random: () => random, logger });
  return { clock, downloads, used, statuses, logger, retry };
}

test('loaded at once: connecting once, the code used, nothing left on the clock', () => {
  const t = setup();
  t.downloads[0]!.loaded(() => 'code');
  expect(t.used).toEqual(['code']);
  expect(t.statuses).toEqual([{ status: 'connecting', attempt: 1 }]);
  expect(t.clock.pending()).toBe(0);
});

test('a failure says unavailable with the backoff wait and tries again when it is over; retryNow cuts it short', () => {
  const t = setup(0.5);
  t.downloads[0]!.failed(new Error('404'));
  // backoffDelay(1, 0.5): half of the 2 s ceiling.
  expect(t.statuses).toEqual([{ status: 'connecting', attempt: 1 }, { status: 'unavailable', attempt: 1, retryInMs: 1000 }]);
  expect(t.logger.lines.some((l) => l.level === 'warn' && l.message === 'the test part did not load; retrying')).toBe(true);
  t.clock.advance(999);
  expect(t.downloads).toHaveLength(1);
  t.clock.advance(1);
  expect(t.downloads).toHaveLength(2);
  t.downloads[1]!.failed('again');
  t.retry.retryNow();
  expect(t.downloads).toHaveLength(3);
  expect(t.clock.pending()).toBe(0);
  t.downloads[2]!.loaded(() => 'third');
  expect(t.used).toEqual(['third']);
  // Loaded: retryNow has nothing to do.
  t.retry.retryNow();
  expect(t.downloads).toHaveLength(3);
});

test('a factory that throws, or a loader that throws, counts as a failed load', () => {
  const t = setup();
  t.downloads[0]!.loaded(() => {
    throw new Error('bad part');
  });
  expect(t.statuses.at(-1)).toMatchObject({ status: 'unavailable', attempt: 1 });
  const seen: unknown[] = [];
  const throwing = loadPartWithRetry<() => string>({
    load: () => {
      throw new Error('no RequireJS');
    },
    use: () => {},
    onStatus: (s) => seen.push(s),
    what: 'x',
    clock: new ManualClock(),
    random: () => 0,
    logger: recordingLogger(),
  });
  expect(seen).toEqual([{ status: 'connecting', attempt: 1 }, { status: 'unavailable', attempt: 1, retryInMs: 0 }]);
  throwing.stop();
});

test('stop(): no more tries, and code that arrives late is not used; a second answer changes nothing', () => {
  const t = setup();
  t.retry.stop();
  t.downloads[0]!.loaded(() => 'late');
  expect(t.used).toEqual([]);
  const u = setup();
  u.downloads[0]!.loaded(() => 'first');
  u.downloads[0]!.failed('after');
  u.downloads[0]!.loaded(() => 'second');
  expect(u.used).toEqual(['first']);
  expect(u.statuses).toHaveLength(1);
});
