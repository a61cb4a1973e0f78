import { markedFetch, markedLookup, markedWebSocket } from '../../../src/app/call-stages';
import type { CallStage, StageMarks } from '../../../src/core/stage-marks';
import type { CallerLookup, LookupResult } from '../../../src/lookup';

function recorder(): StageMarks & { stages: CallStage[] } {
  const stages: CallStage[] = [];
  return { stages, mark: (stage) => void stages.push(stage) };
}

/** A socket double that delivers messages to its listeners in registration order, as the DOM does. */
class FakeSocket extends EventTarget {
  constructor(readonly url: string | URL) {
    super();
  }
  deliver(data: string): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }
}

test('a call frame is marked before the feed sees it; pings and snapshots are not', () => {
  const marks = recorder();
  const Socket = markedWebSocket(FakeSocket as unknown as typeof WebSocket, marks);
  const socket = new Socket('wss://relay.test/ws') as unknown as FakeSocket;
  const seen: string[] = [];
  socket.addEventListener('message', () => seen.push(`feed after ${marks.stages.length} mark(s)`));
  socket.deliver('{"type":"call","call":{"call_id":"c1","state":"ringing"}}');
  socket.deliver('{"type":"ping"}');
  expect(marks.stages).toEqual(['frame-received']);
  expect(seen).toEqual(['feed after 1 mark(s)', 'feed after 1 mark(s)']);
});

test('the lookup request and its parsed answer are marked in order; the answer is handed on unchanged', async () => {
  const marks = recorder();
  const answer: LookupResult = { kind: 'not-found' } as unknown as LookupResult;
  const fetch = markedFetch((async () => {
    marks.stages.push('tracker');
    return new Response(null, { status: 204 });
  }) as typeof globalThis.fetch, marks);
  const inner: CallerLookup = { findByNumber: async () => (await fetch('/api/v2/search/by_phone?phone=1'), answer), dispose: jest.fn() };
  const lookup = markedLookup(inner, marks);
  await expect(lookup.findByNumber('+1 830 580 3077')).resolves.toBe(answer);
  expect(marks.stages).toEqual(['lookup-sent', 'tracker', 'answer-parsed']);
  lookup.dispose();
  expect(inner.dispose).toHaveBeenCalled();
});

test('a lookup answering at once (peek) is marked once parsed; a miss is not', () => {
  const marks = recorder();
  const answer: LookupResult = { kind: 'internal', extension: '101' };
  const peek = jest.fn((raw: string) => (raw === '101' ? answer : undefined));
  const lookup = markedLookup({ peek, findByNumber: jest.fn(), dispose: jest.fn() }, marks);
  expect(lookup.peek?.('101')).toBe(answer);
  expect(lookup.peek?.('+1 830 580 3077')).toBeUndefined();
  expect(marks.stages).toEqual(['answer-parsed']);
  expect(markedLookup({ findByNumber: jest.fn(), dispose: jest.fn() }, marks).peek).toBeUndefined();
});

test('without marks the edges are the very same objects', () => {
  const lookup: CallerLookup = { findByNumber: jest.fn(), dispose: jest.fn() };
  expect(markedWebSocket(FakeSocket as unknown as typeof WebSocket, undefined)).toBe(FakeSocket);
  expect(markedFetch(globalThis.fetch, undefined)).toBe(globalThis.fetch);
  expect(markedLookup(lookup, undefined)).toBe(lookup);
});
