/**
 * Click-to-call in the sandbox, over real loopback HTTP: the simulated PBX's originate endpoint
 * (scripts/sandbox/pbx-originate.ts) as the relay's generic HTTP adapter calls it, and the whole
 * path from the relay's POST /originate with a Kommo one-time token to the call in the PBX panel.
 */
import https from 'node:https';
import { WebSocket } from 'ws';
import { startSandbox } from '../../../scripts/sandbox/server';
import type { Sandbox } from '../../../scripts/sandbox/server';
import type { PbxCall } from '../../../scripts/sandbox/pbx';
import { SANDBOX_USERS } from '../../../scripts/sandbox/users';

const [alice, bruno] = SANDBOX_USERS as [(typeof SANDBOX_USERS)[0], (typeof SANDBOX_USERS)[0]];

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterEach(async () => {
  await sandbox?.close();
});

const page = (p: string) => new URL(p, sandbox.url).href;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function post(url: string, body: unknown, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** What the relay's HTTP adapter sends the PBX (contract: `{"v": 1, id, extension, number, user_id}`). */
const asRelay = (body: unknown, token: string | null = sandbox.tokens.originateToken, type = 'application/json') =>
  post(page('/sandbox/pbx/originate'), body, { 'content-type': type, ...(token === null ? {} : { authorization: `Bearer ${token}` }) });

const request = (id: string, extension: string = alice.extension, number = '+18305803077') => ({ v: 1, id, extension, number, user_id: String(alice.id) });

async function panelCalls(): Promise<PbxCall[]> {
  return ((await (await fetch(page('/sandbox/pbx'))).json()) as { calls: PbxCall[] }).calls;
}

/** The user's one-time token, as the Kommo double's `$authorizedAjax` gets it. */
async function oneTimeToken(userId: number): Promise<string> {
  return ((await (await fetch(page(`/sandbox/one-time-token?user_id=${userId}`))).json()) as { token: string }).token;
}

const asWidget = async (userId: number, body: unknown) =>
  post(`${sandbox.relayUrl}/originate`, body, { 'content-type': 'application/json', 'x-auth-token': await oneTimeToken(userId), origin: new URL(sandbox.url).origin });

/** A WebSocket subscriber of one extension (legacy token), after its snapshot; `next` is the following frame. */
function subscribe(extension: string): Promise<{ ws: WebSocket; next: () => Promise<Record<string, unknown>> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(sandbox.wsUrl);
    const next = () => new Promise<Record<string, unknown>>((done) => ws.once('message', (data) => done(JSON.parse(String(data)) as Record<string, unknown>)));
    ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe', token: sandbox.tokens.token, extensions: [extension] })));
    ws.once('message', () => resolve({ ws, next }));
    ws.once('error', reject);
  });
}

test('the originate token is random per sandbox, and the endpoint refuses a missing or wrong bearer with 401', async () => {
  const other = await startSandbox({ port: 0 });
  try {
    expect(other.tokens.originateToken).not.toBe(sandbox.tokens.originateToken);
    expect(sandbox.tokens.originateToken.length).toBeGreaterThanOrEqual(24);
    for (const token of [null, 'wrong', other.tokens.originateToken]) {
      const refused = await asRelay(request(`c-${String(token)}`), token);
      expect([token, refused.status, refused.body.error]).toEqual([token, 401, 'unauthorized']);
      expect(refused.body.reason).toMatch(/Bearer/);
    }
  } finally {
    await other.close();
  }
  expect(await panelCalls()).toEqual([]);
});

test('bad requests get a 4xx naming the problem, and nothing rings', async () => {
  const cases: Array<[string, unknown, number, string, RegExp]> = [
    ['text/plain', request('c1'), 415, 'unsupported_media_type', /application\/json/],
    ['application/json', 'not json', 400, 'bad_json', /not JSON/],
    ['application/json', [1], 400, 'bad_json', /JSON object/],
    ['application/json', { ...request('c2'), v: 2 }, 400, 'bad_request', /v must be 1/],
    ['application/json', { ...request('c3'), id: '' }, 400, 'bad_request', /id/],
    ['application/json', { ...request('c4'), extension: 101 }, 400, 'bad_request', /extension/],
    ['application/json', request('c5', alice.extension, '8 (495) 123'), 400, 'bad_number', /E\.164/],
    ['application/json', { ...request('c6'), pad: 'x'.repeat(5000) }, 413, 'too_large', /larger than/],
  ];
  for (const [type, body, status, error, reason] of cases) {
    const answer = await asRelay(body, sandbox.tokens.originateToken, type);
    expect([JSON.stringify(body).slice(0, 40), answer.status, answer.body.error]).toEqual([JSON.stringify(body).slice(0, 40), status, error]);
    expect(answer.body.reason).toMatch(reason);
  }
  const get = await fetch(page('/sandbox/pbx/originate'));
  expect(get.status).toBe(405);
  expect(await panelCalls()).toEqual([]);
});

test('an extension no sandbox user has is 404 unknown_extension', async () => {
  const refused = await asRelay(request('c1', '199'));
  expect(refused).toEqual({ status: 404, body: { error: 'unknown_extension', reason: expect.stringMatching(/199.*101, 102, 103/) } });
  expect(await panelCalls()).toEqual([]);
});

test('a good request rings the extension as one outbound call, in the panel and through the relay', async () => {
  const { ws, next } = await subscribe(alice.extension);
  const frame = next();
  const accepted = await asRelay(request('c-good', alice.extension, '+18305803077'));
  expect(accepted).toEqual({ status: 200, body: { call_id: 'c-good' } });
  expect(await panelCalls()).toEqual([expect.objectContaining({ callId: 'c-good', direction: 'outbound', state: 'ringing', phone: '+18305803077', extension: alice.extension })]);
  expect(await frame).toMatchObject({ type: 'call', call: { call_id: 'c-good', state: 'ringing', direction: 'outbound', phone: '+18305803077', extension: alice.extension } });
  ws.close();
});

test('an extension in a live call is 409 busy, ringing or answered; once it hangs up it can call again', async () => {
  expect((await asRelay(request('first'))).status).toBe(200);
  const ringing = await asRelay(request('second'));
  expect(ringing).toEqual({ status: 409, body: { error: 'busy', reason: expect.stringMatching(/101.*first.*ringing/) } });
  await sandbox.pbx.apply({ action: 'answer', callId: 'first' });
  expect((await asRelay(request('third'))).body).toMatchObject({ error: 'busy', reason: expect.stringMatching(/answered/) });
  // Another extension is free meanwhile.
  expect((await asRelay(request('other', bruno.extension))).status).toBe(200);
  await sandbox.pbx.apply({ action: 'hangup', callId: 'first' });
  expect(await asRelay(request('fourth'))).toEqual({ status: 200, body: { call_id: 'fourth' } });
  expect((await panelCalls()).map((c) => [c.callId, c.state])).toEqual([
    ['first', 'ended'],
    ['other', 'ringing'],
    ['fourth', 'ringing'],
  ]);
});

test('through the relay: POST /originate with a Kommo one-time token rings the user\'s extension; Answer and Hang up work on it', async () => {
  const answer = await asWidget(alice.id, { number: '+18305803077' });
  expect(answer).toEqual({ status: 200, body: { ok: true, id: expect.any(String), extension: alice.extension, number: '+18305803077', call_id: answer.body.id } });
  const id = answer.body.id as string;
  expect(await panelCalls()).toEqual([expect.objectContaining({ callId: id, direction: 'outbound', state: 'ringing', phone: '+18305803077', extension: alice.extension })]);
  expect(sandbox.relay.activeCalls()).toEqual([expect.objectContaining({ callId: id, direction: 'outbound', state: 'ringing', extension: alice.extension })]);
  await sandbox.pbx.apply({ action: 'answer', callId: id });
  await sandbox.pbx.apply({ action: 'hangup', callId: id });
  expect((await panelCalls()).map((c) => [c.callId, c.state, c.result])).toEqual([[id, 'ended', 'answered']]);
  expect(sandbox.relay.activeCalls()).toEqual([]);
});

test('through the relay: the PBX\'s refusals reach the widget (busy), and click-to-call survives restartRelay', async () => {
  await sandbox.pbx.apply({ action: 'ring', phone: '+1 202 555 0199', extension: bruno.extension, callId: 'inbound-to-bruno' });
  const busy = await asWidget(bruno.id, { number: '+18305803077' });
  expect(busy).toMatchObject({ status: 409, body: { error: 'pbx_refused', code: 'busy', reason: expect.stringMatching(/inbound-to-bruno/) } });
  await sandbox.restartRelay();
  const after = await asWidget(alice.id, { number: '+18305803077' });
  expect(after.status).toBe(200);
  expect((await panelCalls()).map((c) => c.callId)).toEqual(['inbound-to-bruno', after.body.id]);
});

test('with https the relay still reaches the PBX\'s endpoint (the adapter cannot trust the self-signed certificate)', async () => {
  await sandbox.close();
  sandbox = await startSandbox({ port: 0, https: true });
  const token = await new Promise<string>((resolve, reject) => {
    https
      .get(page(`/sandbox/one-time-token?user_id=${alice.id}`), { ca: sandbox.certificate }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += String(c)));
        res.on('end', () => resolve((JSON.parse(text) as { token: string }).token));
      })
      .on('error', reject);
  });
  const answer = await new Promise<Answer>((resolve, reject) => {
    const req = https.request(
      `${sandbox.relayUrl}/originate`,
      { method: 'POST', ca: sandbox.certificate, headers: { 'content-type': 'application/json', 'x-auth-token': token, origin: new URL(sandbox.url).origin } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += String(c)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ number: '+18305803077' }));
  });
  expect(answer).toMatchObject({ status: 200, body: { ok: true, extension: alice.extension } });
  expect(sandbox.pbx.calls()).toEqual([expect.objectContaining({ callId: answer.body.id, direction: 'outbound', state: 'ringing' })]);
});
