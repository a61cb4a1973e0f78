import { HttpError, NetworkError, TimeoutError } from '../../../src/core/errors';
import { classifyFetchFailure } from '../../../src/core/fetch-failure';

const request = { method: 'GET', url: 'https://pbx.example.com/calls' };

describe('classifyFetchFailure: one classification for every HTTP exchange', () => {
  test('a rejection (offline, CORS, our own abort) is a transient NetworkError with its cause', () => {
    const cause = new TypeError('Failed to fetch');
    const error = classifyFetchFailure(request, { kind: 'rejected', cause });
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ method: 'GET', url: request.url, transient: true, cause });
    expect('cause' in classifyFetchFailure(request, { kind: 'rejected' })).toBe(false);
  });

  test('our timeout is a transient TimeoutError naming the budget', () => {
    const error = classifyFetchFailure(request, { kind: 'timeout', ms: 10_000 });
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ ms: 10_000, transient: true });
  });

  test.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [404, false],
    [410, false],
    [499, false],
  ])('status %d: HttpError, transient %s', (status, transient) => {
    const error = classifyFetchFailure(request, { kind: 'status', status });
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status, transient, retryAfterMs: undefined });
  });

  test('Retry-After is read only when the caller asks, through the one parser (capped)', () => {
    const now = 1_700_000_000_000;
    expect(classifyFetchFailure(request, { kind: 'status', status: 429, retryAfter: { header: '20', now } })).toMatchObject({ retryAfterMs: 20_000 });
    expect(classifyFetchFailure(request, { kind: 'status', status: 503, retryAfter: { header: '86400', now } })).toMatchObject({ retryAfterMs: 300_000 });
    expect(classifyFetchFailure(request, { kind: 'status', status: 503, retryAfter: { header: null, now } })).toMatchObject({ retryAfterMs: undefined });
  });
});
