/**
 * Calls (and incoming leads) that wait for the limiter together go to Kommo in one POST (at most 50),
 * against the fixture CRM over loopback: each call gets its own verdict, and a batch refused as a
 * whole (one bad call) is sent again call by call, so only the bad one is refused.
 */
import { SEED_NUMBERS, startCrmServer } from '../../../scripts/crm';
import { createKommoApi } from '../../../relay/src/kommo/client';
import { KommoApiError } from '../../../relay/src/kommo/errors';
import { createKommoLimiter } from '../../../relay/src/kommo/limiter';
import type { KommoCallBody } from '../../../relay/src/kommo/types';

let crm: Awaited<ReturnType<typeof startCrmServer>>;
beforeEach(async () => {
  crm = await startCrmServer();
});
afterEach(() => crm.close());

const body = (uniq: string, phone: string = SEED_NUMBERS.adamNoah): KommoCallBody => ({ direction: 'inbound', duration: 5, source: 'Test', phone, uniq, call_status: 4, created_at: 1_800_000_000, request_id: uniq });
const callPosts = () => crm.crm.requests.filter((r) => r.path === '/api/v4/calls');

test('120 calls at once: three requests (50, 50, 20, the first cut when the limiter let it go), every call its own verdict', async () => {
  // One request a second: everything behind the first waits, and joins the next batch.
  const api = createKommoApi({ baseUrl: crm.url, token: 'sandbox-api-token', limiter: createKommoLimiter({ rule: { perWindow: 1, windowMs: 50 } }) });
  const known = Array.from({ length: 110 }, (_, i) => api.logCall(body(`k-${i}`)));
  const unknown = Array.from({ length: 10 }, (_, i) => api.logCall(body(`u-${i}`, SEED_NUMBERS.unknown)));
  const filed = await Promise.all(known);
  expect(filed.every((f) => f.filed === 'on-card' && f.entity.id === 5760184)).toBe(true);
  expect((await Promise.all(unknown)).map((f) => f.filed)).toEqual(Array(10).fill('unknown-number'));
  expect(callPosts().map((r) => (r.body as unknown[]).length)).toEqual([50, 50, 20]);
  // The same calls again: Kommo knows their uniq, each is a duplicate, not an error.
  expect((await api.logCall(body('k-3'))).filed).toBe('duplicate');
});

test('a batch Kommo refuses as a whole is sent call by call: the good calls are filed, the bad one refused', async () => {
  const api = createKommoApi({ baseUrl: crm.url, token: 'sandbox-api-token', limiter: createKommoLimiter({ rule: { perWindow: 1, windowMs: 50 } }) });
  const first = api.logCall(body('a-0'));
  const bad = { ...body('a-bad'), direction: 'sideways' } as unknown as KommoCallBody;
  const rest = [api.logCall(body('a-1')), api.logCall(bad), api.logCall(body('a-2'))];
  await first;
  const settled = await Promise.allSettled(rest);
  expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  const refusal = (settled[1] as PromiseRejectedResult).reason as KommoApiError;
  expect(refusal).toBeInstanceOf(KommoApiError);
  expect(refusal.kind).toBe('refused');
  expect(crm.crm.calls.map((c) => c.uniq).sort()).toEqual(['a-0', 'a-1', 'a-2']);
  // The four in one request (cut when the limiter let it go), refused, then each alone.
  expect(callPosts().map((r) => (r.body as unknown[]).length)).toEqual([4, 1, 1, 1, 1]);
});

test('a batch that fails (500) fails each of its calls, for the worker to retry', async () => {
  const api = createKommoApi({ baseUrl: crm.url, token: 'sandbox-api-token', limiter: createKommoLimiter({ rule: { perWindow: 100 } }) });
  crm.crm.setFaults({ status: 500 });
  const settled = await Promise.allSettled([api.logCall(body('f-0')), api.logCall(body('f-1'))]);
  expect(settled.map((s) => s.status === 'rejected' && (s.reason as KommoApiError).kind)).toEqual(['transient', 'transient']);
});
