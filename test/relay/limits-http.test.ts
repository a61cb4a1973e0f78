/**
 * What the relay tells and takes over HTTP: the Origin of a WebSocket upgrade (the account's
 * Kommo origins, `--kommo-origin`), `/health` without and with the PBX token, and a PBX event
 * whose recording link carries credentials.
 */
import { closeGuardSockets, watchedSocket } from './guard-support';
import { event, KOMMO, kommoAuth, PBX, relay, stopAll, TOKEN } from './harness';

afterEach(async () => {
  closeGuardSockets();
  await stopAll();
});

const legacy = { type: 'subscribe', v: 2, token: TOKEN, extensions: ['101'] };

describe('the Origin of a WebSocket upgrade', () => {
  test('with the Kommo settings: another site and `null` get 403 before the handshake; the Kommo origin and non-browser clients (no Origin) are served', async () => {
    const t = await relay({ token: TOKEN, auth: kommoAuth() });
    for (const origin of ['https://evil.example', 'null', 'https://acme.kommo.com.evil.example', 'http://acme.kommo.com']) {
      const refused = await watchedSocket(t.r.wsUrl, { Origin: origin });
      expect({ origin, status: refused.refusedWith }).toEqual({ origin, status: 403 });
    }
    expect(t.r.connections()).toBe(0);
    for (const headers of [{ Origin: KOMMO.origin }, {}] as Array<Record<string, string>>) {
      const served = await watchedSocket(t.r.wsUrl, headers);
      served.send(legacy);
      expect((await served.frame('snapshot')).type).toBe('snapshot');
    }
    expect(t.logs.filter((line) => line.includes('origin not allowed'))).toEqual(['relay: a WebSocket upgrade from an origin not allowed was refused (403) {"origin":"https://evil.example"}']);
  });

  test('the legacy token alone (no origin list): any site as in version 1, but never `null`', async () => {
    const t = await relay();
    expect((await watchedSocket(t.r.wsUrl, { Origin: 'null' })).refusedWith).toBe(403);
    const served = await watchedSocket(t.r.wsUrl, { Origin: 'https://acme.kommo.com' });
    served.send(legacy);
    expect((await served.frame('snapshot')).type).toBe('snapshot');
  });
});

describe('/health', () => {
  test('without credentials only {"status":"ok"}; the figures with the PBX token; a wrong token is refused', async () => {
    const t = await relay();
    await t.post(event('c1', 'ringing'));
    const widget = await t.client(legacy);
    await widget.frame('snapshot');
    const open = await fetch(`${t.r.url}/health`);
    expect({ status: open.status, body: await open.text() }).toEqual({ status: 200, body: '{"status":"ok"}' });
    const full = await fetch(`${t.r.url}/health`, { headers: { Authorization: `Bearer ${PBX}` } });
    expect(await full.json()).toEqual({ status: 'ok', ok: true, calls: 1, subscribers: 1, pending: 0, store: 'memory', history: 1, epoch: expect.any(String), offset: 1, call_log: { configured: false } });
    for (const authorization of [`Bearer ${TOKEN}`, 'Bearer nope', 'Basic cGJ4OnBieA==']) {
      const wrong = await fetch(`${t.r.url}/health`, { headers: { Authorization: authorization } });
      expect({ status: wrong.status, error: ((await wrong.json()) as { error: string }).error }).toEqual({ status: 401, error: 'unauthorized' });
    }
  });
});

describe('a recording URL with credentials', () => {
  test('is refused at the PBX endpoint: 400 recording_credentials naming the event, nothing of the POST stored', async () => {
    const t = await relay();
    const ended = (callId: string, recording: string) => event(callId, 'ended', '101', { duration: 5, result: 'answered', recording_url: recording });
    const answer = await t.postJson([event('c1', 'ringing'), ended('c2', 'https://user:secret@pbx.example.com/rec/2.mp3')]);
    expect(answer).toEqual({
      status: 400,
      body: { error: 'recording_credentials', reason: expect.stringContaining('event 1: recording_url carries a user name or password'), field: 'recording_url', index: 1 },
    });
    expect(JSON.stringify(answer.body)).not.toContain('secret');
    for (const link of ['https://user@pbx.example.com/rec/3.mp3', 'https://:secret@pbx.example.com/rec/4.mp3']) {
      expect((await t.postJson([ended('c3', link)])).body).toMatchObject({ error: 'recording_credentials', index: 0 });
    }
    expect(await t.poll('extensions=101')).toEqual({ calls: [] });
    // A link without credentials is taken as before.
    expect((await t.postJson([ended('c4', 'https://pbx.example.com/rec/4.mp3?sig=abc')])).status).toBe(200);
  });
});
