/**
 * What the worker does with a job that threw: Kommo down or rate-limiting is tried again, a
 * revoked token waits for the admin, a refusal and a bug are kept aside (never spin).
 */
import { classifyCallLogError } from '../../../relay/src/calllog/classify';
import { StoreWriteFailed } from '../../../relay/src/errors';
import { KommoApiError } from '../../../relay/src/kommo/errors';
import type { KommoFailure } from '../../../relay/src/kommo/errors';

const kommo = (failure: Partial<KommoFailure> & Pick<KommoFailure, 'kind'>) =>
  new KommoApiError({ status: 500, method: 'POST', path: '/api/v4/calls', detail: '', ...failure });

test('transient (5xx, no answer): retried; a Retry-After it came with is kept for this job', () => {
  expect(classifyCallLogError(kommo({ kind: 'transient', status: 503 }))).toEqual({ retry: true, reason: expect.stringContaining('503') });
  expect(classifyCallLogError(kommo({ kind: 'transient', status: null }))).toEqual({ retry: true, reason: expect.stringContaining('no answer') });
  expect(classifyCallLogError(kommo({ kind: 'transient', status: 503, retryAfterMs: 4_000 }))).toMatchObject({ retry: true, afterMs: 4_000 });
});

test('rate-limited: every job pauses for Retry-After, else a second', () => {
  expect(classifyCallLogError(kommo({ kind: 'rate-limited', status: 429, retryAfterMs: 2_500 }))).toMatchObject({ retry: true, pauseAllMs: 2_500 });
  expect(classifyCallLogError(kommo({ kind: 'rate-limited', status: 429 }))).toMatchObject({ retry: true, pauseAllMs: 1_000 });
});

test('unauthorized: every job waits a minute, the reason tells the admin what to do', () => {
  expect(classifyCallLogError(kommo({ kind: 'unauthorized', status: 401 }))).toEqual({
    retry: true, pauseAllMs: 60_000, reason: 'Kommo refused the API token (401): revoked or wrong; set a new one',
  });
});

test('refused (400, 403): kept aside with the status and Kommo\'s detail', () => {
  const verdict = classifyCallLogError(kommo({ kind: 'refused', status: 400, path: '/api/v4/tasks', detail: 'complete_till: must be a timestamp' }));
  expect(verdict.retry).toBe(false);
  expect(verdict.reason).toContain('400');
  expect(verdict.reason).toContain('/api/v4/tasks');
  expect(verdict.reason).toContain('complete_till: must be a timestamp');
  expect(classifyCallLogError(kommo({ kind: 'refused', status: 403 }))).toMatchObject({ retry: false, reason: expect.stringContaining('403') });
});

test('a bug (a TypeError, a thrown string) is kept aside as internal, never retried', () => {
  expect(classifyCallLogError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toEqual({
    retry: false, reason: "internal: TypeError: Cannot read properties of undefined (reading 'id')",
  });
  expect(classifyCallLogError('boom')).toEqual({ retry: false, reason: 'internal: boom' });
});

test('the relay\'s store not keeping a write: retried (the retry finds what landed in Kommo)', () => {
  expect(classifyCallLogError(new StoreWriteFailed('remember a task'))).toMatchObject({ retry: true, reason: expect.stringContaining('remember a task') });
});
