/** Which kind of failure a failed lookup was (src/lookup/failure.ts): the pop-up words each differently. */
import { HttpError, NetworkError, ProtocolError, TimeoutError } from '../../../src/core/errors';
import { lookupFailure } from '../../../src/lookup';

const URL = '/api/v2/search/by_phone?phone=1';

test.each([
  ['the lookup\'s own timeout', new TimeoutError('GET', URL, 1300), 'slow'],
  ['no rate-limit slot in time', new TimeoutError('GET', URL, 5000, { cause: 'no rate-limit slot in time' }), 'slow'],
  ['a gateway timeout (504)', new HttpError(504, 'GET', URL), 'slow'],
  ['a request timeout (408)', new HttpError(408, 'GET', URL), 'slow'],
  ['429', new HttpError(429, 'GET', URL, 1000), 'busy'],
  ['401', new HttpError(401, 'GET', URL), 'forbidden'],
  ['403', new HttpError(403, 'GET', URL), 'forbidden'],
  ['500', new HttpError(500, 'GET', URL), 'error'],
  ['503', new HttpError(503, 'GET', URL), 'error'],
  ['404', new HttpError(404, 'GET', URL), 'error'],
  ['no connection', new NetworkError('GET', URL), 'error'],
  ['an answer that is not Kommo\'s', new ProtocolError('by_phone answered something that is not JSON'), 'error'],
] as const)('%s is %s', (_what, error, kind) => {
  expect(lookupFailure(error)).toBe(kind);
});
