/** Which answer of `POST <relay>/ticket` means what for the widget (docs/call-feed-protocol.md, "What the Kommo widget does"). */
import { accessFrom } from '../../../src/feed/relay-access';

describe('accessFrom: one answer of POST /ticket', () => {
  const ticket = { v: 2, ticket: 'tk', expires_in: 600, user_id: '1001', extensions: ['101'] };
  test.each([
    ['200 with a ticket', 200, ticket, false, { mode: 'ticket', ticket: 'tk', expiresInMs: 600_000, extensions: ['101'] }],
    ['200 with a ticket, token set too: the ticket wins', 200, ticket, true, { mode: 'ticket' }],
    ['404 tickets_disabled, token set: the shared token', 404, { error: 'tickets_disabled' }, true, { mode: 'token' }],
    ['404, no token: refused no-tickets', 404, null, false, { mode: 'refused', reason: 'no-tickets' }],
    ['405 (a relay without the route), token set', 405, null, true, { mode: 'token' }],
    ['401 (the relay refused Kommo\'s token), no token', 401, { error: 'unauthorized', reason: 'bad_signature' }, false, { mode: 'refused', reason: 'signin-refused' }],
    ['0 (down, or no CORS on an old relay), no token: ask again', 0, null, false, { mode: 'retry' }],
    ['0, token set: the shared token (a ticket relay refuses it and the renewal asks again)', 0, null, true, { mode: 'token' }],
    ['503, no token: ask again', 503, null, false, { mode: 'retry' }],
    ['200 without a ticket, no token: ask again', 200, { v: 2 }, false, { mode: 'retry' }],
    ['200 with a bad expires_in', 200, { ...ticket, expires_in: -1 }, false, { mode: 'retry' }],
    ['200 with non-string extensions', 200, { ...ticket, extensions: [101] }, false, { mode: 'retry' }],
  ])('%s', (_name, status, body, hasToken, expected) => {
    expect(accessFrom({ status: status as number, body }, hasToken as boolean)).toMatchObject(expected as object);
  });
});
