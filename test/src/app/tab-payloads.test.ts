/** What tabs of one user pass each other, checked on arrival (src/app/tab-payloads.ts). */
import { parseCallPopup, parseSharedTabState } from '../../../src/app/tab-payloads';

test('a pop-up keeps its fields and its call id; anything short of one is dropped', () => {
  const popup = { callId: 'c', header: 'Incoming call', text: '<b>Adam</b>', date: 1_700_000_000 };
  expect(parseCallPopup(JSON.parse(JSON.stringify(popup)))).toEqual(popup);
  expect(parseCallPopup({ header: 'h', text: 't', date: 1 })).toEqual({ header: 'h', text: 't', date: 1 });
  for (const bad of [null, 'popup', { header: 'h', text: 5, date: 1 }, { header: 'h', text: 't', date: Infinity }, { header: 'h', text: 't' }]) {
    expect(parseCallPopup(bad)).toBeNull();
  }
});

test('the shared state is the leader\'s feed status; what an older widget shared besides is dropped', () => {
  expect(parseSharedTabState({ feed: 'open' })).toEqual({ feed: 'open' });
  expect(parseSharedTabState({ calls: [], notifiedIds: ['a'], callers: {}, feed: 'backoff' })).toEqual({ feed: 'backoff' });
  for (const bad of [null, [], {}, { feed: 'exploded' }]) expect(parseSharedTabState(bad)).toBeNull();
});

test("the leader's ticket rides along for the next leader, checked; a malformed one is dropped, the state kept", () => {
  const ticket = { ticket: 'jwt', expiresAt: 1_700_000_600_000, lifeMs: 600_000, userId: '7', extensions: ['101'] };
  expect(parseSharedTabState({ feed: 'open', access: 'ticket', ticket })).toEqual({ feed: 'open', access: 'ticket', ticket });
  expect(parseSharedTabState({ feed: 'open', ticket: { ...ticket, userId: '' } })).toEqual({ feed: 'open' });
  expect(parseSharedTabState({ feed: 'open', ticket: 'jwt' })).toEqual({ feed: 'open' });
});
