import fc from 'fast-check';
import { readOriginateAnswer } from '../../../src/dial';

const refused = (status: number, body: unknown) => readOriginateAnswer({ status, body });

test('accepted: 200 with the extension the relay chose', () => {
  expect(refused(200, { ok: true, id: 'x', extension: '101', number: '+74951234567' })).toEqual({ kind: 'accepted', extension: '101' });
  expect(refused(200, null)).toEqual({ kind: 'accepted', extension: null });
});

test.each([
  [400, { error: 'bad_number' }, { kind: 'not_a_number' }],
  [403, { error: 'no_extension' }, { kind: 'no_extension' }],
  [403, { error: 'forbidden_extension', extensions: ['105'] }, { kind: 'forbidden_extension' }],
  [401, { error: 'unauthorized', reason: 'bad signature' }, { kind: 'signin_refused' }],
  [401, { error: 'ticket_expired' }, { kind: 'signin_refused' }],
  [404, { error: 'originate_disabled' }, { kind: 'disabled' }],
  [429, { error: 'rate_limited', retry_after: 2 }, { kind: 'rate_limited', retryAfterS: 2 }],
  [429, { error: 'rate_limited', retry_after: 1.2 }, { kind: 'rate_limited', retryAfterS: 2 }],
  [429, { error: 'rate_limited' }, { kind: 'rate_limited', retryAfterS: 1 }],
  [429, { error: 'rate_limited', retry_after: 1e9 }, { kind: 'rate_limited', retryAfterS: 3600 }],
  [409, { error: 'pbx_refused', code: 'busy', reason: 'in a call' }, { kind: 'busy' }],
  [409, { error: 'pbx_refused', code: 'bad_number' }, { kind: 'not_a_number' }],
  [409, { error: 'pbx_refused', code: 'unknown_extension' }, { kind: 'unknown_extension' }],
  [409, { error: 'pbx_refused', code: 'not_allowed' }, { kind: 'not_allowed' }],
  [409, { error: 'pbx_refused', code: 'other', reason: '  trunk down  ' }, { kind: 'pbx_refused', reason: 'trunk down' }],
  [409, { error: 'pbx_refused', code: 'other', reason: 'x'.repeat(500) }, { kind: 'pbx_refused', reason: 'x'.repeat(200) }],
  [502, { error: 'pbx_unreachable' }, { kind: 'pbx_unreachable' }],
  [504, { error: 'pbx_timeout' }, { kind: 'pbx_unreachable' }],
  [503, { error: 'overloaded', retry_after: 1 }, { kind: 'pbx_unreachable' }],
  [0, null, { kind: 'relay_unreachable' }],
  // A relay older than click-to-call, or a proxy's own pages.
  [404, '<html>Not found</html>', { kind: 'disabled' }],
  [405, null, { kind: 'disabled' }],
  [401, null, { kind: 'signin_refused' }],
  [500, { error: 'internal' }, { kind: 'failed', status: 500 }],
  [418, 'teapot', { kind: 'failed', status: 418 }],
])('%i %j -> %j', (status, body, outcome) => {
  expect(refused(status, body)).toEqual(outcome);
});

test('any answer at all is read without throwing, into a known kind', () => {
  const kinds = new Set(['accepted', 'not_a_number', 'no_extension', 'forbidden_extension', 'signin_refused', 'disabled', 'rate_limited', 'busy', 'unknown_extension', 'not_allowed', 'pbx_refused', 'pbx_unreachable', 'relay_unreachable', 'failed']);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 999 }), fc.anything(), (status, body) => {
      expect(kinds.has(readOriginateAnswer({ status, body }).kind)).toBe(true);
    }),
  );
});
