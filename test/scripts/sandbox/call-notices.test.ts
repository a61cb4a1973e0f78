/**
 * The sandbox server's record of Kommo's call notifications (scripts/sandbox/call-notices.ts):
 * what the simulated CRM answered to POST /api/v2/events, per user the request named, in order.
 */
import type { ServerResponse } from 'node:http';
import { createCallNotices } from '../../../scripts/sandbox/call-notices';

/** The part of a response the CRM answers on: writeHead sets the status, end sends the body. */
const response = () => ({ statusCode: 0, end: () => undefined }) as unknown as ServerResponse;
function answer(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.end(JSON.stringify(body));
}

const ALICE = '8320148';
const BRUNO = '8375357';
const item = (phone: string, element?: number) => ({ uid: `u-${phone}`, phone_number: phone, ...(element ? { element_type: 1, element_id: element } : {}) });

test('each answered item is filed for the users its request item named, in order, from where a tab started', () => {
  const notices = createCallNotices(() => 1000);
  expect(notices.since(ALICE, null)).toEqual({ last: 0, notices: [] });
  const request = { add: [{ phone_number: '+1', users: [8320148] }, { phone_number: '+2', users: [8375357, 8320148] }] };
  const res = response();
  notices.watch(res, () => request);
  answer(res, 200, { _embedded: { items: [item('+1', 5760184), item('+2')] } });
  expect(notices.since(ALICE, 0).notices).toEqual([
    { seq: 1, at: 1000, users: [ALICE], item: item('+1', 5760184) },
    { seq: 2, at: 1000, users: [BRUNO, ALICE], item: item('+2') },
  ]);
  expect(notices.since(BRUNO, 0).notices.map((n) => n.seq)).toEqual([2]);
  expect(notices.since(ALICE, 1).notices.map((n) => n.seq)).toEqual([2]);
  // A new tab starts after the last one: nothing old, only `last`.
  expect(notices.since(ALICE, null)).toEqual({ last: 2, notices: [] });
});

test('a refused event, or an answer that does not match its request item for item, files nothing', () => {
  const notices = createCallNotices();
  const refused = response();
  notices.watch(refused, () => ({ add: [{ phone_number: '+1' }] }));
  answer(refused, 400, { title: 'Bad Request', status: 400, detail: 'users is required' });
  const odd = response();
  notices.watch(odd, () => ({ add: [{ phone_number: '+1', users: [8320148] }] }));
  answer(odd, 200, { _embedded: { items: [item('+1'), item('+2')] } });
  expect(notices.since(ALICE, 0)).toEqual({ last: 0, notices: [] });
});
