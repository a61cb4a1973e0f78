/**
 * Protocol version 2's wire format (docs/call-feed-protocol.md, "Version 2"): positions, the
 * subscribe frame, and what the widget gets out of v2 snapshots, call frames, pongs, errors and
 * poll payloads; the relay's builders and the widget's parsers agree by round trip.
 */
import {
  composeCallFrame,
  composeError,
  composePollV1,
  composePollV2,
  composeSnapshotV1,
  composeSnapshotV2,
  composeAuth,
  composeSubscribe,
  formatCursorParam,
  negotiateVersion,
  parseCallEvent,
  parseCursor,
  parseCursorParam,
  parsePollPayload,
  parseServerFrame,
  parseSubscribe,
  pollCredential,
} from '../../../src/protocol';
import type { CallEvent } from '../../../src/protocol';

const RECEIVED = 1_700_000_000_000;
const ringing: CallEvent = { callId: 'c1', state: 'ringing', direction: 'inbound', phone: '+14155550100', extension: '101', at: RECEIVED };
const elsewhere: CallEvent = { ...ringing, state: 'ended', result: 'answered_elsewhere' };
const expired: CallEvent = { ...ringing, callId: 'c2', state: 'ended', result: 'missed', expired: true };

describe('positions', () => {
  test('cursor object and E:N parameter', () => {
    expect(parseCursor({ epoch: 'ab12', offset: 7 })).toEqual({ epoch: 'ab12', offset: 7 });
    expect(parseCursorParam(formatCursorParam({ epoch: 'ab12', offset: 7 }))).toEqual({ epoch: 'ab12', offset: 7 });
    for (const bad of [null, { epoch: '', offset: 1 }, { epoch: 'a:b', offset: 1 }, { epoch: 'a', offset: -1 }, { epoch: 'a', offset: 1.5 }, { epoch: 'x'.repeat(65), offset: 1 }]) {
      expect(parseCursor(bad)).toBeNull();
    }
    for (const bad of ['', 'ab', 'ab:', ':1', 'a b:1', 'ab:-1', 'ab:1.5', 'ab:99999999999999999']) expect(parseCursorParam(bad)).toBeNull();
  });

  test.each([
    [undefined, 1],
    [1, 1],
    [2, 2],
    [3, 2],
    ['2', 2],
    [0, null],
    ['two', null],
    [1.5, null],
  ])('negotiateVersion(%p) = %p', (raw, version) => {
    expect(negotiateVersion(raw)).toBe(version);
  });
});

describe('the subscribe frame', () => {
  test('the widget writes v2 with an optional since; the relay reads it back', () => {
    expect(composeSubscribe({ kind: 'token', token: 't' }, ['101'])).toEqual({ type: 'subscribe', v: 2, token: 't', extensions: ['101'] });
    // With a ticket the frame carries the ticket instead, never both.
    expect(composeSubscribe({ kind: 'ticket', ticket: 'tk' }, ['101'])).toEqual({ type: 'subscribe', v: 2, ticket: 'tk', extensions: ['101'] });
    expect(composeAuth('tk2')).toEqual({ type: 'auth', ticket: 'tk2' });
    expect(pollCredential({ kind: 'ticket', ticket: 'tk' })).toEqual({ bearer: 'tk', param: { ticket: 'tk' } });
    expect(pollCredential({ kind: 'token', token: 't' })).toEqual({ bearer: 't', param: { token: 't' } });
    const frame = composeSubscribe({ kind: 'token', token: 't' }, ['101'], { epoch: 'e1', offset: 4 });
    expect(parseSubscribe(JSON.parse(JSON.stringify(frame)))).toEqual({ ok: true, request: { token: 't', extensions: ['101'], version: 2, since: { epoch: 'e1', offset: 4 } } });
  });

  test('without v it is version 1 (since ignored); a bad v or since is refused by field', () => {
    expect(parseSubscribe({ type: 'subscribe', token: 't', extensions: [], since: 'junk' })).toMatchObject({ ok: true, request: { version: 1, since: null } });
    expect(parseSubscribe({ type: 'subscribe', v: 'x' })).toMatchObject({ ok: false, field: 'v' });
    expect(parseSubscribe({ type: 'subscribe', v: 2, since: { epoch: 'e' } })).toMatchObject({ ok: false, field: 'since' });
    expect(parseSubscribe({ type: 'subscribe', v: 2, token: 5 })).toMatchObject({ ok: true, request: { token: null } });
  });
});

describe('v2 frames as the widget parses them', () => {
  test('a v2 snapshot round-trips: calls as events, the stream header and the missed events as data', () => {
    const frame = composeSnapshotV2({ epoch: 'e1', offset: 9, recovered: true, calls: [ringing], missed: [{ offset: 8, event: elsewhere }, { offset: 9, event: expired }] });
    const parsed = parseServerFrame(JSON.stringify(frame), 0);
    expect(parsed).toEqual({
      type: 'snapshot',
      events: [ringing],
      dropped: [],
      stream: { version: 2, epoch: 'e1', offset: 9, recovered: true, missed: [{ offset: 8, event: elsewhere }, { offset: 9, event: expired }] },
    });
  });

  test('a v1 snapshot has no stream; a call frame has an offset only from v2', () => {
    expect(parseServerFrame(JSON.stringify(composeSnapshotV1([ringing])), 0)).toEqual({ type: 'snapshot', events: [ringing], dropped: [] });
    expect(parseServerFrame(JSON.stringify(composeCallFrame(ringing, null)), 0)).toEqual({ type: 'call', event: ringing, dropped: [] });
    expect(parseServerFrame(JSON.stringify(composeCallFrame(elsewhere, 12)), 0)).toEqual({ type: 'call', event: elsewhere, dropped: [], offset: 12 });
  });

  test('broken v2 parts are dropped with a kind; the calls still count', () => {
    const header = parseServerFrame(JSON.stringify({ type: 'snapshot', v: 2, epoch: 'a b', offset: 1, recovered: true, calls: [], events: [] }), 0);
    expect(header).toEqual({ type: 'snapshot', events: [], dropped: [{ kind: 'stream:header' }] });
    const events = [{ offset: 3, call: { call_id: 'x' } }, { offset: 2, call: { ...composeCallFrame(ringing, null).call } }, { offset: 2, call: composeCallFrame(ringing, null).call }, { offset: 7, call: composeCallFrame(ringing, null).call }, 'junk'];
    const parsed = parseServerFrame(JSON.stringify({ type: 'snapshot', v: 2, epoch: 'e', offset: 5, recovered: true, calls: [], events }), 0);
    expect(parsed.type === 'snapshot' && parsed.stream?.missed.map((m) => m.offset)).toEqual([2]);
    expect(parsed.type === 'snapshot' && parsed.dropped.map((d) => d.kind)).toEqual(['event:state', 'stream:event_offset', 'stream:event_offset', 'stream:event_offset']);
    expect(parseServerFrame('{"type":"call","offset":-1,"call":null}', 0)).toMatchObject({ dropped: [{ kind: 'event:not_an_object' }, { kind: 'stream:event_offset' }] });
  });

  test('not recovered: the events list is not read', () => {
    const parsed = parseServerFrame(JSON.stringify(composeSnapshotV2({ epoch: 'e', offset: 3, recovered: false, calls: [], missed: [{ offset: 2, event: ringing }] })), 0);
    expect(parsed).toMatchObject({ stream: { recovered: false, missed: [] } });
  });

  test('overloaded carries retry_after (capped at 300 s); pong may carry the offset', () => {
    expect(parseServerFrame(JSON.stringify(composeError('overloaded', { retryAfterS: 10 })), 0)).toEqual({ type: 'error', code: 'overloaded', retryAfterS: 10 });
    expect(parseServerFrame('{"type":"error","code":"overloaded","retry_after":86400}', 0)).toEqual({ type: 'error', code: 'overloaded', retryAfterS: 300 });
    expect(parseServerFrame('{"type":"error","code":"unauthorized"}', 0)).toEqual({ type: 'error', code: 'unauthorized' });
    expect(parseServerFrame('{"type":"pong","offset":4}', 0)).toEqual({ type: 'pong', offset: 4 });
    expect(parseServerFrame('{"type":"pong"}', 0)).toEqual({ type: 'pong' });
  });

  test('poll payloads: v2 round-trips with its stream; v1 as before', () => {
    const v2 = JSON.parse(JSON.stringify(composePollV2({ epoch: 'e', offset: 2, recovered: true, calls: [ringing], missed: [{ offset: 2, event: ringing }] })));
    expect(parsePollPayload(v2, 0)).toEqual({ ok: true, events: [ringing], dropped: [], stream: { version: 2, epoch: 'e', offset: 2, recovered: true, missed: [{ offset: 2, event: ringing }] } });
    expect(parsePollPayload(JSON.parse(JSON.stringify(composePollV1([ringing]))), 0)).toEqual({ ok: true, events: [ringing], dropped: [] });
  });
});

test('answered_elsewhere is a result; expired is read only as true on an end', () => {
  expect(parseCallEvent({ call_id: 'c', state: 'ended', direction: 'inbound', phone: '', extension: '1', result: 'answered_elsewhere' }, 0)).toMatchObject({ ok: true, event: { result: 'answered_elsewhere' } });
  expect(parseCallEvent({ call_id: 'c', state: 'ended', direction: 'inbound', phone: '', extension: '1', expired: 'yes' }, 0)).toEqual({ ok: true, event: expect.not.objectContaining({ expired: expect.anything() }) });
  expect(parseCallEvent({ call_id: 'c', state: 'ringing', direction: 'inbound', phone: '', extension: '1', expired: true }, 0)).toEqual({ ok: true, event: expect.not.objectContaining({ expired: true }) });
});
