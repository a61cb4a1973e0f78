/**
 * How each failure of Kommo reaches the call log, over real loopback HTTP: its class (transient,
 * rate-limited with Retry-After, unauthorized, refused), status, path and a short detail; no
 * answer (a closed port, a server that never answers); an answer that is not JSON. The token
 * never shows in an error or a log line. The settings are checked when the client is made.
 */
import { createKommoApi, createKommoLimiter, DETAIL_MAX, KommoApiError } from '../../../relay/src/kommo';
import type { KommoCallBody } from '../../../relay/src/kommo';
import { clientOf, closedPortUrl, kommoDouble, rejectionOf, stopKommoDoubles, TOKEN } from './kommo-double';
import type { Reply } from './kommo-double';

afterEach(stopKommoDoubles);

const CALL: KommoCallBody = { direction: 'outbound', duration: 0, source: 'Acme PBX', phone: '+14155550100', uniq: 'c1', call_status: 6, created_at: 1_700_000_000, request_id: 'c1' };

async function failureOf(reply: Reply, extra: Parameters<typeof clientOf>[1] = {}): Promise<KommoApiError> {
  const double = await kommoDouble(() => reply);
  const error = await rejectionOf(clientOf(double.url, extra).logCall(CALL));
  expect(error).toBeInstanceOf(KommoApiError);
  return error as KommoApiError;
}

const summary = (e: KommoApiError) => ({ kind: e.kind, status: e.status, method: e.method, path: e.path, retryAfterMs: e.retryAfterMs });

describe('a status Kommo answers', () => {
  test.each([500, 502, 503, 504, 408])('%i is transient', async (status) => {
    const error = await failureOf({ status, body: { title: 'Service Unavailable', status } });
    expect(summary(error)).toStrictEqual({ kind: 'transient', status, method: 'POST', path: '/api/v4/calls', retryAfterMs: undefined });
    expect(error.message).toBe(`Kommo POST /api/v4/calls: transient (${status}): Service Unavailable`);
  });

  test('a proxy\'s HTML 502 is transient, its text without tags as the detail', async () => {
    const error = await failureOf({ status: 502, raw: '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>' });
    expect([error.kind, error.detail]).toEqual(['transient', '502 Bad Gateway 502 Bad Gateway']);
  });

  test('429 with Retry-After in seconds is rate-limited, with the wait', async () => {
    const error = await failureOf({ status: 429, body: { title: 'Too Many Requests' }, headers: { 'Retry-After': '7' } });
    expect(summary(error)).toStrictEqual({ kind: 'rate-limited', status: 429, method: 'POST', path: '/api/v4/calls', retryAfterMs: 7000 });
  });

  test('429 with Retry-After as an HTTP date: the wait from now; without one, no wait is claimed', async () => {
    const now = Date.UTC(2030, 0, 1, 12, 0, 0);
    const dated = await failureOf({ status: 429, headers: { 'Retry-After': new Date(now + 30_000).toUTCString() } }, { now: () => now });
    expect(dated.retryAfterMs).toBe(30_000);
    const past = await failureOf({ status: 429, headers: { 'Retry-After': new Date(now - 5_000).toUTCString() } }, { now: () => now });
    expect(past.retryAfterMs).toBe(0);
    const none = await failureOf({ status: 429 });
    expect([none.kind, none.retryAfterMs, 'retryAfterMs' in none]).toEqual(['rate-limited', undefined, false]);
    const garbage = await failureOf({ status: 429, headers: { 'Retry-After': '1.5' } });
    expect(garbage.retryAfterMs).toBeUndefined();
  });

  test('401 is unauthorized (a revoked token)', async () => {
    const error = await failureOf({ status: 401, body: { title: 'Unauthorized', type: 'https://httpstatus.es/401', status: 401, detail: 'Unauthorized' } });
    expect(summary(error)).toStrictEqual({ kind: 'unauthorized', status: 401, method: 'POST', path: '/api/v4/calls', retryAfterMs: undefined });
  });

  test('400 is refused with Kommo\'s title, detail and validation errors', async () => {
    const error = await failureOf({
      status: 400,
      body: { title: 'Bad Request', status: 400, detail: 'Request validation failed', 'validation-errors': [{ request_id: '0', errors: [{ code: 'NotSupportedChoice', path: 'direction', detail: 'The value you selected is not a valid choice.' }] }] },
    });
    expect([error.kind, error.status]).toEqual(['refused', 400]);
    expect(error.detail).toBe('Bad Request: Request validation failed (direction: The value you selected is not a valid choice.)');
    expect(error.message).toBe(`Kommo POST /api/v4/calls: refused (400): ${error.detail}`);
  });

  test.each([402, 403, 404, 405, 422])('%i is refused', async (status) => {
    const error = await failureOf({ status, body: { title: 'Forbidden', detail: 'Account blocked' } });
    expect([error.kind, error.status, error.detail]).toEqual(['refused', status, 'Forbidden: Account blocked']);
  });

  test('a redirect is not followed (the token would go elsewhere): refused, naming where it pointed', async () => {
    const double = await kommoDouble(() => ({ status: 301, headers: { Location: 'https://other.kommo.com/api/v4/calls' } }));
    const error = (await rejectionOf(clientOf(double.url).logCall(CALL))) as KommoApiError;
    expect([error.kind, error.status]).toEqual(['refused', 301]);
    expect(error.detail).toContain('https://other.kommo.com/api/v4/calls');
    expect(double.received).toHaveLength(1);
  });

  test('a detail is one line of at most DETAIL_MAX characters', async () => {
    const error = await failureOf({ status: 400, body: { title: 'Bad\nRequest', detail: 'x'.repeat(5000) } });
    expect(error.detail.length).toBeLessThanOrEqual(DETAIL_MAX);
    expect(error.detail).toMatch(/^Bad Request: x+…$/);
  });
});

describe('no answer, or one that is not JSON', () => {
  test('a closed port: transient, no status, the socket\'s reason, the cause kept', async () => {
    const error = (await rejectionOf(clientOf(await closedPortUrl()).findContact('+14155550100'))) as KommoApiError;
    expect(error).toBeInstanceOf(KommoApiError);
    expect(summary(error)).toStrictEqual({ kind: 'transient', status: null, method: 'GET', path: '/api/v4/contacts', retryAfterMs: undefined });
    expect(error.detail).toBe('Kommo could not be reached (ECONNREFUSED)');
    expect((error.cause as Error).name).toBe('TypeError'); // fetch's "fetch failed", whose cause is the socket's
  });

  test('a server that never answers: transient after timeoutMs', async () => {
    const double = await kommoDouble(() => 'hang');
    const error = (await rejectionOf(clientOf(double.url, { timeoutMs: 50 }).addTask({ text: 't', complete_till: 1, entity_id: 1, entity_type: 'leads', task_type_id: 1, responsible_user_id: 1 }))) as KommoApiError;
    expect(summary(error)).toStrictEqual({ kind: 'transient', status: null, method: 'POST', path: '/api/v4/tasks', retryAfterMs: undefined });
    expect(error.detail).toBe('Kommo did not answer within 50 ms');
    expect(double.received).toHaveLength(1);
  });

  test('a 200 whose body is not JSON: transient (cut short or a proxy\'s page; a retry is safe)', async () => {
    const error = await failureOf({ status: 200, raw: '{"_embedded": {"calls": [' });
    expect([error.kind, error.status, error.detail]).toEqual(['transient', 200, 'Kommo answered 200 with a body that is not JSON']);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});

describe('the token stays secret', () => {
  test('not in any error, even when Kommo echoes it back', async () => {
    const echo = `Authorization: Bearer ${TOKEN}`;
    const replies: Reply[] = [
      { status: 401, body: { title: 'Unauthorized', detail: echo } },
      { status: 400, raw: `<pre>${echo}</pre>` },
      { status: 200, body: { errors: [{ request_id: 'c1', detail: echo }] } },
      { status: 429, body: { detail: echo } },
      { status: 500, body: { detail: echo } },
    ];
    const lines: string[] = [];
    for (const reply of replies) {
      const error = await failureOf(reply, { log: (message, context) => lines.push(`${message} ${JSON.stringify(context)}`) });
      expect(error.detail).toContain('[token]');
      for (const text of [error.message, error.detail, String(error.stack), JSON.stringify(error)]) expect(text).not.toContain(TOKEN);
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  test('not in a network error or a timeout', async () => {
    const refused = (await rejectionOf(clientOf(await closedPortUrl()).logCall(CALL))) as KommoApiError;
    const double = await kommoDouble(() => 'hang');
    const timedOut = (await rejectionOf(clientOf(double.url, { timeoutMs: 20 }).logCall(CALL))) as KommoApiError;
    for (const error of [refused, timedOut]) for (const text of [error.message, String(error.stack), String(error.cause)]) expect(text).not.toContain(TOKEN);
  });
});

describe('the settings, checked when the client is made', () => {
  const make = (baseUrl: string, token = TOKEN) => () => createKommoApi({ baseUrl, token, limiter: createKommoLimiter() });

  test('https, or http for a loopback host only', () => {
    for (const ok of ['https://acme.kommo.com', 'https://acme.kommo.com/', 'http://127.0.0.1:8080', 'http://127.4.5.6', 'http://localhost:3000', 'http://[::1]:9']) expect(make(ok)).not.toThrow();
    for (const bad of ['http://acme.kommo.com', 'http://10.0.0.1', 'ftp://acme.kommo.com', 'acme.kommo.com', '', 'http://127.0.0.1.evil.com']) expect(make(bad)).toThrow(/Kommo baseUrl must be/);
    expect(make('https://me:pw@acme.kommo.com')).toThrow(/baseUrl must not carry credentials/);
    expect(make('https://acme.kommo.com/?x=1')).toThrow(/baseUrl must have no query/);
  });

  test('a token that is not one is refused without being quoted; a bad timeout too', () => {
    for (const token of ['', 'short', 'has space in it', 'line\nbreak-token-value']) {
      let message = '';
      try {
        make('https://acme.kommo.com', token)();
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^Kommo token must be/);
      if (token !== '') expect(message).not.toContain(token);
    }
    expect(() => createKommoApi({ baseUrl: 'https://acme.kommo.com', token: TOKEN, timeoutMs: 0 })).toThrow(/timeoutMs must be a positive integer/);
  });
});
