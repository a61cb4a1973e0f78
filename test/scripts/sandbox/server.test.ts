/** The sandbox server itself, over real loopback HTTP (no browser): routes, bad input, the auth flow, restarts, close. */
import { createSecretKey } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { jwtVerify } from 'jose';
import { WebSocket } from 'ws';
import { parseCommandLine, run as runCallCli } from '../../../scripts/sandbox/call-cli';
import { startSandbox } from '../../../scripts/sandbox/server';
import type { Sandbox } from '../../../scripts/sandbox/server';
import { SANDBOX_INTEGRATION } from '../../../scripts/sandbox/one-time-token';
import { SANDBOX_ACCOUNT, SANDBOX_USERS } from '../../../scripts/sandbox/users';

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterEach(async () => {
  await sandbox?.close();
});

function request(url: string, method = 'GET', body?: string): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: body !== undefined ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const page = (p: string) => new URL(p, sandbox.url).href;

function subscribe(url: string, token: string, frame: Record<string, unknown> = { type: 'subscribe', token, extensions: ['101'] }): Promise<{ ws: WebSocket; first: Record<string, unknown>; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const closed = new Promise<number>((done) => ws.once('close', (code) => done(code)));
    ws.once('open', () => ws.send(JSON.stringify(frame)));
    ws.once('message', (data) => resolve({ ws, first: JSON.parse(String(data)) as Record<string, unknown>, closed }));
    ws.once('error', reject);
  });
}

/** What the Kommo double's `$authorizedAjax` does, from Node: a one-time token, then the relay's /ticket. */
async function ticketOf(userId: number): Promise<Record<string, unknown>> {
  const { token } = JSON.parse((await request(page(`/sandbox/one-time-token?user_id=${userId}`))).text) as { token: string };
  const answer = await fetch(`${sandbox.relayUrl}/ticket`, { method: 'POST', headers: { 'X-Auth-Token': token, Origin: new URL(sandbox.url).origin } });
  expect(answer.headers.get('access-control-allow-origin')).toBe(new URL(sandbox.url).origin);
  return (await answer.json()) as Record<string, unknown>;
}

test('serves the host page at Kommo card paths, the vendor libraries and the seeded entities', async () => {
  for (const p of ['/', '/dashboard', '/contacts/detail/5760184', '/leads/detail/5102790', '/contacts/add/?phone=123']) {
    const res = await request(page(p));
    expect([p, res.status]).toEqual([p, 200]);
    expect(res.text).toContain('/sandbox/host.js');
  }
  for (const lib of ['require.js', 'jquery.js', 'underscore.js']) expect((await request(page(`/vendor/${lib}`))).status).toBe(200);
  const adam = await request(page('/sandbox/entity/contacts/5760184'));
  expect(JSON.parse(adam.text)).toMatchObject({ id: 5760184, name: 'Adam Noah' });
  expect((await request(page('/sandbox/entity/contacts/1'))).status).toBe(404);
  const byPhone = await request(page('/api/v2/search/by_phone?phone=18305803077'));
  expect(byPhone.status).toBe(200);
  expect(byPhone.text).toContain('Adam Noah');
});

test('never serves files outside the widget and public folders', async () => {
  for (const p of ['/widget/../package.json', '/widget/%2e%2e/package.json', '/sandbox/../server.ts', '/widget/src/index.ts', '/widget/package.json']) {
    const res = await request(page(p));
    expect([p, res.status]).toEqual([p, 404]);
  }
});

test('the PBX and CRM-fault endpoints answer bad input with a 4xx and a reason, and keeps working', async () => {
  const cases: Array<[string, number, RegExp]> = [
    ['not json', 400, /not JSON/],
    ['[1,2]', 400, /JSON object/],
    ['{"action":"explode"}', 400, /unknown action/],
    ['{"action":"ring","extension":"101"}', 400, /phone number/],
    ['{"action":"ring","phone":"+1 830 580 3077","extension":"1 0 1"}', 400, /extension/],
    ['{"action":"ring","phone":"+1","extension":"101","direction":"sideways"}', 400, /direction/],
    ['{"action":"answer","callId":"nope"}', 404, /no call/],
    ['{"action":"hangup"}', 409, /no call is/],
    [JSON.stringify({ action: 'ring', phone: 'x'.repeat(20_000), extension: '101' }), 413, /larger than/],
  ];
  for (const [body, status, reason] of cases) {
    const res = await request(page('/sandbox/pbx'), 'POST', body);
    expect([body.slice(0, 40), res.status]).toEqual([body.slice(0, 40), status]);
    expect(res.text).toMatch(reason);
  }
  for (const [body, reason] of [['{"delayMs":"slow"}', /delayMs/], ['{"status":42}', /HTTP status/], ['{"explode":true}', /unknown fault/]] as const) {
    const res = await request(page('/sandbox/crm/faults'), 'POST', body);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(reason);
  }
  expect((await request(page('/sandbox/crm/faults'), 'POST', '{"status":500}')).status).toBe(200);
  expect((await request(page('/api/v2/search/by_phone?phone=18305803077'))).status).toBe(500);
  const ok = await request(page('/sandbox/pbx'), 'POST', '{"action":"ring","phone":"+1 830 580 3077","extension":"101"}');
  expect(ok.status).toBe(200);
  expect(sandbox.relay.activeCalls()).toHaveLength(1);
});

test('a PBX call reaches a WebSocket subscriber of that extension through the relay', async () => {
  const { ws, first } = await subscribe(sandbox.wsUrl, sandbox.tokens.token);
  expect(first).toEqual({ type: 'snapshot', calls: [] });
  const next = new Promise<Record<string, unknown>>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)) as Record<string, unknown>)));
  const call = await sandbox.pbx.apply({ action: 'ring', phone: '+1 830 580 3077', extension: '101' });
  expect(await next).toMatchObject({ type: 'call', call: { call_id: call.callId, state: 'ringing', extension: '101' } });
  ws.close();
});

test('the one-time token is Kommo\'s shape, signed with the sandbox integration secret, 10 minutes, for a sandbox user only', async () => {
  const [alice] = SANDBOX_USERS;
  const answer = await request(page(`/sandbox/one-time-token?user_id=${alice!.id}`));
  const { token } = JSON.parse(answer.text) as { token: string };
  const { payload, protectedHeader } = await jwtVerify(token, createSecretKey(Buffer.from(SANDBOX_INTEGRATION.secret)));
  expect(protectedHeader.alg).toBe('HS256');
  expect(payload).toEqual({
    iss: new URL(sandbox.url).origin,
    aud: sandbox.relayUrl,
    jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    iat: expect.any(Number),
    nbf: payload.iat,
    exp: (payload.iat as number) + 600,
    account_id: SANDBOX_ACCOUNT.id,
    user_id: alice!.id,
    client_uuid: SANDBOX_INTEGRATION.clientUuid,
  });
  for (const userId of ['', '42', 'x']) {
    const refused = await request(page(`/sandbox/one-time-token?user_id=${userId}`));
    expect([userId, refused.status]).toEqual([userId, 400]);
    expect(refused.text).toMatch(/sandbox user/);
  }
});

test('the relay runs the real flow: a ticket for each user\'s own extension, others refused, tickets kept across restartRelay', async () => {
  const [alice, bruno] = SANDBOX_USERS;
  const ticket = await ticketOf(bruno!.id);
  expect(ticket).toEqual({ v: 2, ticket: expect.any(String), expires_in: 600, user_id: String(bruno!.id), extensions: [bruno!.extension] });
  const own = await subscribe(sandbox.wsUrl, '', { type: 'subscribe', v: 2, ticket: ticket.ticket, extensions: [bruno!.extension] });
  expect(own.first).toMatchObject({ type: 'snapshot', v: 2 });
  const closed = own.closed;
  const other = await subscribe(sandbox.wsUrl, '', { type: 'subscribe', v: 2, ticket: ticket.ticket, extensions: [alice!.extension] });
  expect(other.first).toEqual({ type: 'error', code: 'forbidden_extension', extensions: [alice!.extension] });
  expect(await other.closed).toBe(4403);
  await sandbox.restartRelay();
  await closed;
  const again = await subscribe(sandbox.wsUrl, '', { type: 'subscribe', v: 2, ticket: ticket.ticket, extensions: [bruno!.extension] });
  expect(again.first).toMatchObject({ type: 'snapshot' });
  again.ws.close();
});

test('with legacyToken: false (npm start) the shared token is refused and the page gets no token setting', async () => {
  await sandbox.close();
  sandbox = await startSandbox({ port: 0, legacyToken: false });
  const { first, closed } = await subscribe(sandbox.wsUrl, sandbox.tokens.token);
  expect(first).toEqual({ type: 'error', code: 'unauthorized' });
  expect(await closed).toBe(4401);
  expect(JSON.parse((await request(page('/sandbox/config'))).text)).toMatchObject({ token: '' });
  expect((await ticketOf(SANDBOX_USERS[0]!.id)).extensions).toEqual([SANDBOX_USERS[0]!.extension]);
});

test('restartRelay closes every WebSocket and listens again on the same port', async () => {
  const { ws } = await subscribe(sandbox.wsUrl, sandbox.tokens.token);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await sandbox.restartRelay();
  await closed;
  const again = await subscribe(sandbox.wsUrl, sandbox.tokens.token);
  expect(again.first).toEqual({ type: 'snapshot', calls: [] });
  again.ws.close();
  // The PBX can post to the new relay too.
  await sandbox.pbx.apply({ action: 'ring', phone: '+1 830 580 3077', extension: '101' });
  expect(sandbox.relay.activeCalls()).toHaveLength(1);
});

test('a malformed HTTP request gets a 400 and the server keeps serving', async () => {
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(new URL(sandbox.url).port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
    let text = '';
    socket.on('data', (d) => (text += String(d)));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  expect(answer).toMatch(/^HTTP\/1\.1 400/);
  expect((await request(page('/dashboard'))).status).toBe(200);
});

test('close() frees both ports', async () => {
  const ports = [new URL(sandbox.url).port, new URL(sandbox.relayUrl).port].map(Number);
  await sandbox.close();
  for (const port of ports) {
    await new Promise<void>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  }
});

test('the call CLI reads numbers with spaces and single-value options', () => {
  expect(parseCommandLine(['--url', 'http://127.0.0.1:9000', 'ring', '--from', '+1', '830', '580', '3077', '--ext', '101'])).toEqual({
    command: 'ring',
    flags: { url: 'http://127.0.0.1:9000', from: '+1 830 580 3077', ext: '101' },
  });
  expect(parseCommandLine(['hangup', '--recording', '--duration', '65'])).toEqual({ command: 'hangup', flags: { recording: true, duration: '65' } });
  expect(() => parseCommandLine(['ring', 'extra', 'words'])).toThrow(/unexpected argument/);
});

test('the call CLI places a withheld call: `--from ""` (or `--from=`, or --withheld) rings with an empty phone', async () => {
  for (const argv of [['ring', '--from', '', '--ext', '101'], ['ring', '--from=', '--ext', '101'], ['ring', '--withheld', '--ext', '101'], ['ring', '--ext', '101', '--from', '']]) {
    expect(parseCommandLine(argv)).toEqual({ command: 'ring', flags: { withheld: true, ext: '101' } });
  }
  // A forgotten number is still refused, and a withheld one is for inbound calls only.
  expect(() => parseCommandLine(['ring', '--from'])).toThrow(/--from needs a value/);
  expect(() => parseCommandLine(['dial', '--to', '', '--ext', '101'])).toThrow(/--to needs a value/);
  const log = jest.spyOn(console, 'log').mockImplementation(() => {});
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await runCallCli(['ring', '--from', '', '--ext', '101', '--url', sandbox.url], {})).toBe(0);
    expect(log.mock.calls.flat().join('\n')).toMatch(/\(withheld\) -> ext 101/);
    expect(await runCallCli(['dial', '--withheld', '--ext', '101', '--url', sandbox.url], {})).toBe(2);
    expect(stderr.mock.calls.flat().join('')).toMatch(/withheld number is for an inbound call/);
  } finally {
    log.mockRestore();
    stderr.mockRestore();
  }
  const [call] = sandbox.relay.activeCalls();
  expect(call).toMatchObject({ phone: '', extension: '101', state: 'ringing' });
});

test('the PBX rings a withheld number ("" phone) and refuses a missing or over-long one', async () => {
  const withheld = await request(page('/sandbox/pbx'), 'POST', '{"action":"ring","phone":"","extension":"101"}');
  expect(withheld.status).toBe(200);
  expect(JSON.parse(withheld.text)).toMatchObject({ call: { phone: '', state: 'ringing' } });
  for (const [body, reason] of [
    ['{"action":"ring","extension":"101"}', /phone number \("" for a withheld one\)/],
    ['{"action":"ring","phone":42,"extension":"101"}', /phone number/],
    [JSON.stringify({ action: 'ring', phone: '1'.repeat(65), extension: '101' }), /longer than 64/],
  ] as const) {
    const res = await request(page('/sandbox/pbx'), 'POST', body);
    expect([body.slice(0, 50), res.status]).toEqual([body.slice(0, 50), 400]);
    expect(res.text).toMatch(reason);
  }
  expect(sandbox.relay.activeCalls()).toHaveLength(1);
});
