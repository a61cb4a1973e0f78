/**
 * Fuzzing the call feed (issue 8): arbitrary frames through the parsers and a running feed, and
 * random interleavings of valid call stories through feed -> CallTracker -> CallNotifier.
 * The relay is a WebSocket double (fake-socket.ts); time is the feed tests' ManualClock.
 */
import fc from 'fast-check';
import { createCallFeed, createCallTracker } from '../../../src/feed';
import { MAX_FRAME_CHARS, parseCallEvent, stateRank } from '../../../src/protocol';
import type { CallChange, CallEvent, CallState } from '../../../src/feed';
import { parsePollBody, parsePollPayload, parseServerFrame } from '../../../src/protocol/frames';
import type { CallerLookup } from '../../../src/lookup';
import { createCallNotifier, ENGLISH_NOTIFY_STRINGS } from '../../../src/notify';
import { FakePage, ManualClock, recordingLogger } from './support';
import { entity, found, NUMBER, recordingSink } from '../notify/fixtures';
import { fakeWebSocket } from './fake-socket';

const EXT = '101';

/** A WebSocket feed for extension 101 over a hand-driven socket and clock. */
function wsFeed(clock: ManualClock, logger: ReturnType<typeof recordingLogger>, ws: ReturnType<typeof fakeWebSocket>) {
  return createCallFeed({
    transport: { kind: 'ws', url: 'ws://relay.test/ws' },
    token: 't',
    extensions: [EXT],
    clock,
    logger,
    WebSocket: ws.WebSocket,
    fetch: () => Promise.reject(new Error('no fetch')),
    page: new FakePage('http:'),
    random: () => 0.5,
  });
}
const HUGE = `{"type":"call","call":{"call_id":"huge","phone":"${'9'.repeat(MAX_FRAME_CHARS)}"}}`;

/** Lets promise callbacks (an instant lookup's answer) run; no clock time passes. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

// ---------- generators ----------

const STATES: CallState[] = ['ringing', 'answered', 'ended'];

/** A wire event that satisfies the protocol's table. */
const validWire = (callId: fc.Arbitrary<string>, extension: fc.Arbitrary<string> = fc.constant(EXT)) =>
  fc.record(
    {
      call_id: callId,
      state: fc.constantFrom(...STATES),
      direction: fc.constantFrom('inbound', 'outbound'),
      phone: fc.string({ maxLength: 64 }),
      extension,
      at: fc.double({ min: 0, max: 4e9, noNaN: true }),
      duration: fc.oneof(fc.constant(null), fc.nat(100_000)),
      recording_url: fc.oneof(fc.constant(null), fc.stringMatching(/^[a-z0-9]{1,20}$/).map((p) => `https://pbx.example.com/rec/${p}.wav`)),
      result: fc.oneof(fc.constant(null), fc.constantFrom('answered', 'missed', 'busy', 'failed')),
    },
    { requiredKeys: ['call_id', 'state', 'direction', 'phone', 'extension'] },
  );

/** Not a string, and not null either: null stands for "absent" in optional fields. */
const notString = fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const notOneOf = (allowed: string[]) => fc.oneof(notString, fc.string().filter((s) => !allowed.includes(s)));
const badNumber = fc.oneof(
  fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.string(),
  fc.boolean(),
  fc.array(fc.nat(), { maxLength: 2 }),
);

/** For each field of the table: values that must get the event dropped with that field as reason. */
const BAD_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  call_id: fc.oneof(notString, fc.constant(null), fc.constant(''), fc.string({ minLength: 129, maxLength: 300 })),
  state: notOneOf(STATES),
  direction: notOneOf(['inbound', 'outbound']),
  phone: fc.oneof(notString, fc.string({ minLength: 65, maxLength: 200 })),
  extension: fc.oneof(notString, fc.constantFrom('', ' ', '\t\n '), fc.string({ minLength: 65, maxLength: 200 })),
  at: badNumber,
  duration: badNumber,
  recording_url: fc.oneof(
    fc.integer(),
    fc.constantFrom('javascript:alert(1)', 'ftp://pbx.example.com/r.wav', 'https://pbx.example.com/a b.wav', '//pbx.example.com/r.wav', 'https://', 'data:audio/wav;base64,AAAA'),
    fc.string().filter((s) => !/^https?:\/\//i.test(s)),
    fc.constant(`https://pbx.example.com/${'r'.repeat(2100)}`),
  ),
  result: notOneOf(['answered', 'missed', 'busy', 'failed']),
};

/** A valid-looking event with exactly one field broken; its call_id says so. */
const oneBadField = fc
  .tuple(validWire(fc.string({ minLength: 1, maxLength: 20 }).map((s) => `bad-${s}`)), fc.constantFrom(...Object.keys(BAD_VALUES)))
  .chain(([event, field]) => BAD_VALUES[field]!.map((value) => ({ event: { ...event, [field]: value } as Record<string, unknown>, field })));

/** The same, for frames: only bad values that survive JSON (NaN and Infinity become null, i.e. absent). */
const oneBadFieldJson = oneBadField.filter(({ event, field }) => {
  const round = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
  return round[field] !== undefined && round[field] !== null;
});

/** Anything a broken relay or a proxy could put in a frame. */
const anyFrame: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.anything().map(text),
  fc.anything(),
  fc.constant(HUGE),
  fc.constant(new ArrayBuffer(8)),
  oneBadFieldJson.map(({ event }) => JSON.stringify({ type: 'call', call: event })),
  fc.array(oneBadFieldJson, { maxLength: 3 }).map((list) => JSON.stringify({ type: 'snapshot', calls: list.map((b) => b.event) })),
  fc.record({ type: fc.constantFrom('snapshot', 'call', 'ping', 'pong', 'error', 'welcome'), calls: fc.jsonValue(), call: fc.jsonValue(), code: fc.jsonValue() }).map((f) => JSON.stringify(f)),
  validWire(fc.string({ minLength: 1, maxLength: 20 }).map((s) => `ok-${s}`)).map((call) => JSON.stringify({ type: 'call', call })),
  validWire(fc.string({ minLength: 1, maxLength: 20 }).map((s) => `other-${s}`), fc.constantFrom('102', '555')).map((call) => JSON.stringify({ type: 'call', call })),
  fc.array(validWire(fc.string({ minLength: 1, maxLength: 20 }).map((s) => `ok-${s}`)), { maxLength: 4 }).map((calls) => JSON.stringify({ type: 'snapshot', calls })),
);

/** Any value as frame text; some values (no prototype, a toString that is not a function) cannot be turned into one. */
function text(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** An `unauthorized` error frame ends the feed on purpose; the fuzz wants a feed that keeps going. */
const notUnauthorized = (frame: unknown): boolean => !(typeof frame === 'string' && /"code":"unauthorized"/.test(frame));

// ---------- (a) arbitrary input ----------

describe('arbitrary frames', () => {
  test('parseCallEvent never throws on any value, and whatever it accepts satisfies the protocol table', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue(), oneBadField.map((b) => b.event)), (raw) => {
        const parsed = parseCallEvent(raw, 1_700_000_000_000);
        if (!parsed.ok) {
          expect(typeof parsed.reason).toBe('string');
          return;
        }
        const e = parsed.event;
        expect(STATES).toContain(e.state);
        expect(['inbound', 'outbound']).toContain(e.direction);
        expect(e.callId.length).toBeGreaterThan(0);
        expect(e.callId.length).toBeLessThanOrEqual(128);
        expect(e.phone.length).toBeLessThanOrEqual(64);
        expect(e.extension.trim()).not.toBe('');
        expect(Number.isFinite(e.at)).toBe(true);
        if (e.recordingUrl !== undefined) expect(e.recordingUrl).toMatch(/^https?:\/\/\S+$/i);
      }),
      { numRuns: 1000 },
    );
  });

  test('a valid-looking event with one bad field is dropped, and the reason names that field', () => {
    fc.assert(
      fc.property(oneBadField, ({ event, field }) => {
        expect(parseCallEvent(event, 0)).toEqual({ ok: false, reason: field });
      }),
      { numRuns: 1000 },
    );
  });

  test('every event that satisfies the table is accepted with its fields kept', () => {
    fc.assert(
      fc.property(validWire(fc.string({ minLength: 1, maxLength: 128 }), fc.string({ minLength: 1, maxLength: 64 }).filter((s) => s.trim() !== '')), (wire) => {
        const parsed = parseCallEvent(wire, 42);
        if (!parsed.ok) throw new Error(`rejected (${parsed.reason}): ${JSON.stringify(wire)}`);
        expect(parsed.event).toMatchObject({ callId: wire.call_id, state: wire.state, direction: wire.direction, phone: wire.phone, extension: wire.extension.trim() });
        expect(parsed.event.at).toBe(wire.at === undefined ? 42 : Math.round(wire.at * 1000));
        if (wire.state !== 'ended') expect(parsed.event.duration).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  test('the frame and poll-body parsers never throw on any string, value or size; oversized frames are dropped unread', () => {
    fc.assert(
      fc.property(anyFrame, (frame) => {
        const parsed = parseServerFrame(frame, 0);
        expect(['snapshot', 'call', 'ping', 'pong', 'error', 'ignored']).toContain(parsed.type);
        if (typeof frame === 'string' && frame.length > MAX_FRAME_CHARS) expect(parsed).toMatchObject({ type: 'ignored', dropped: [{ kind: 'frame:too_large' }] });
        if (parsed.type === 'snapshot') for (const e of parsed.events) expect(e.callId).not.toMatch(/^bad-/);
        if (parsed.type === 'call' && parsed.event) expect(parsed.event.callId).not.toMatch(/^bad-/);
        const body = parsePollBody(typeof frame === 'string' ? frame : text(frame), 0);
        if (body.ok) for (const e of body.events) expect(e.callId).not.toMatch(/^bad-/);
        expect(typeof parsePollPayload(frame, 0).ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  test('a CallTracker fed arbitrary parsed batches never throws and never moves a call backwards', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(anyFrame, { maxLength: 4 }), fc.boolean()), { maxLength: 12 }), (batches) => {
        const clock = new ManualClock();
        const tracker = createCallTracker({ clock, maxCalls: 5, forgetEndedAfterMs: 1000 });
        const last = new Map<string, number>();
        for (const [frames, complete] of batches) {
          const events: CallEvent[] = [];
          for (const frame of frames) {
            const parsed = parseServerFrame(frame, clock.now());
            if (parsed.type === 'snapshot') events.push(...parsed.events);
            if (parsed.type === 'call' && parsed.event) events.push(parsed.event);
          }
          for (const change of tracker.apply({ events, complete })) {
            if (change.kind !== 'state') continue;
            // Only remembered calls are guarded: a call forgotten after its bound may start over.
            const before = last.get(change.call.callId);
            if (before !== undefined && change.previous !== null) expect(stateRank(change.call.state)).toBeGreaterThan(before);
            last.set(change.call.callId, stateRank(change.call.state));
          }
          expect(tracker.size()).toBeLessThanOrEqual(5);
          clock.advance(300);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('a running feed fed arbitrary frames throws nothing, stays open, and only valid events of its own extension get through', () => {
    let through = 0; // valid events did reach the tracker in some runs (the filter is not vacuous)
    fc.assert(
      fc.property(fc.array(anyFrame.filter(notUnauthorized), { minLength: 1, maxLength: 25 }), (frames) => {
        const clock = new ManualClock();
        const logger = recordingLogger();
        const ws = fakeWebSocket();
        const feed = wsFeed(clock, logger, ws);
        const changes: CallChange[] = [];
        feed.on('change', (c) => changes.push(c));
        feed.start();
        const socket = ws.latest();
        socket.open();
        socket.deliver(JSON.stringify({ type: 'snapshot', calls: [] }));
        expect(feed.status).toEqual({ status: 'open' });
        for (const frame of frames) socket.deliver(frame);
        expect(feed.status).toEqual({ status: 'open' });
        expect(ws.sockets).toHaveLength(1);
        for (const change of changes) {
          expect(change.call.callId).toMatch(/^ok-/);
          expect(change.call.extension).toBe(EXT);
        }
        expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
        through += changes.length;
        feed.stop();
        expect(clock.pending()).toBe(0);
      }),
      { numRuns: 300 },
    );
    expect(through).toBeGreaterThan(0);
  });
});

// ---------- (b) random orders of valid call stories ----------

/** What the PBX may send for one call, in its true order. */
const STORIES: CallState[][] = [
  ['ringing', 'answered', 'ended'],
  ['ringing', 'ended'],
  ['answered', 'ended'],
  ['ended'],
  ['ringing'],
  ['ringing', 'answered'],
];

type Step =
  | { kind: 'call'; pick: number }
  | { kind: 'snapshot'; picks: number[]; complete: boolean }
  | { kind: 'settle' }
  | { kind: 'tick'; ms: number }
  | { kind: 'reconnect' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('call' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('snapshot' as const), picks: fc.array(fc.nat(), { maxLength: 5 }), complete: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'settle' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reconnect' as const }) },
);

function wireEvent(index: number, state: CallState, phone: string) {
  const event: Record<string, unknown> = { call_id: `call-${index}`, state, direction: 'inbound', phone, extension: EXT, at: 1_700_000_000 + stateRank(state) };
  if (state === 'ended') event.duration = 5;
  return event;
}

describe('random orders, repeats and replays of valid call stories', () => {
  test('at most one pop-up and one completed notification per call, pop-ups only for calls first seen ringing, states never backwards', async () => {
    // What the runs went through, so a generator that stopped producing the hard cases fails loudly.
    const seen = { popups: 0, completed: 0, vanished: 0, lateRinging: 0, reconnects: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...STORIES), { minLength: 1, maxLength: 4 }), fc.array(step, { minLength: 1, maxLength: 40 }), async (stories, steps) => {
        const clock = new ManualClock();
        const logger = recordingLogger();
        const ws = fakeWebSocket();
        const sink = recordingSink();
        const lookupCalls: string[] = [];
        const lookup: CallerLookup = {
          findByNumber: (raw) => {
            lookupCalls.push(raw);
            return Promise.resolve(found(entity('contact', 42, 'Adam Noah')));
          },
          dispose() {},
        };
        const notifier = createCallNotifier({
          lookup,
          sink,
          strings: ENGLISH_NOTIFY_STRINGS,
          locale: 'en',
          clock,
          logger,
          manager: { id: '504141', extension: EXT },
          mode: 'widget',
        });
        const feed = wsFeed(clock, logger, ws);
        const changes: CallChange[] = [];
        feed.on('change', (c) => {
          changes.push(c);
          notifier.handle(c);
        });
        feed.start();
        ws.latest().open();
        ws.latest().deliver(JSON.stringify({ type: 'snapshot', calls: [] }));

        const pool = stories.flatMap((states, i) => states.map((state) => wireEvent(i, state, NUMBER.raw)));
        for (const s of steps) {
          switch (s.kind) {
            case 'call': {
              const event = pool[s.pick % pool.length]!;
              if (event.state === 'ringing' && changes.some((c) => c.call.callId === event.call_id && c.kind === 'state' && c.call.state !== 'ringing')) seen.lateRinging++;
              ws.latest().deliver(JSON.stringify({ type: 'call', call: event }));
              break;
            }
            case 'snapshot':
              ws.latest().deliver(JSON.stringify({ type: 'snapshot', calls: s.picks.map((p) => pool[p % pool.length]) }));
              break;
            case 'settle':
              await settle();
              break;
            case 'tick':
              clock.advance(s.ms);
              break;
            case 'reconnect': {
              ws.latest().drop();
              // (A socket the heartbeat gave up on earlier is already detached: its drop changes nothing.)
              const status = feed.status;
              if (status.status === 'backoff') {
                seen.reconnects++;
                clock.advance(status.retryInMs);
              }
              if (ws.latest().readyState === 0) ws.latest().open();
              break;
            }
          }
        }
        // Let every lookup answer and every budget run out.
        await settle();
        clock.advance(20_000);
        await settle();

        const ids = stories.map((_, i) => `call-${i}`);
        for (const id of ids) {
          const mine = changes.filter((c) => c.call.callId === id);
          // States strictly forward; nothing after ended or vanished.
          for (let i = 1; i < mine.length; i++) {
            const [prev, cur] = [mine[i - 1]!, mine[i]!];
            expect(prev.kind).toBe('state');
            expect(prev.call.state).not.toBe('ended');
            if (cur.kind === 'state') expect(stateRank(cur.call.state)).toBeGreaterThan(stateRank(prev.call.state));
          }
          const popups = sink.popups.filter((p) => p.callId === id).length;
          const completed = sink.calls.filter((c) => c.callId === id).length;
          const firstRinging = mine[0]?.kind === 'state' && mine[0].call.state === 'ringing';
          const endedSeen = mine.some((c) => c.kind === 'state' && c.call.state === 'ended');
          const overSeen = mine.some((c) => c.kind === 'vanished' || c.call.state === 'ended');
          expect(popups).toBeLessThanOrEqual(1);
          if (!firstRinging) expect(popups).toBe(0);
          // A call first seen ringing that is still going has had its pop-up by now.
          if (firstRinging && !overSeen) expect(popups).toBe(1);
          // Exactly one completed notification for a call seen ending; none for one that vanished.
          expect(completed).toBe(endedSeen ? 1 : 0);
        }
        expect(lookupCalls.length).toBeLessThanOrEqual(ids.length);
        seen.popups += sink.popups.length;
        seen.completed += sink.calls.length;
        seen.vanished += changes.filter((c) => c.kind === 'vanished').length;
        expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
        feed.stop();
        notifier.dispose();
      }),
      { numRuns: 1000 },
    );
    for (const [what, count] of Object.entries(seen)) expect([what, count > 0]).toEqual([what, true]);
  });
});
