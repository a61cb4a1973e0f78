import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { createAmiClient } from '../../../relay/src/asterisk/ami-client';
import type { AmiClient, AmiClientOptions } from '../../../relay/src/asterisk/ami-client';
import type { AmiMessage, AmiStatus } from '../../../relay/src/asterisk/ami-types';
import { AmiError } from '../../../relay/src/asterisk/ami-errors';
import { ManualClock } from '../../support/manual-clock';
import { waitUntil } from '../../support/wait';
import { captureRaw, formatMessage, startFakeAmi } from '../../support/fake-ami';
import type { FakeAmi } from '../../support/fake-ami';

interface Rig {
  fake: FakeAmi;
  clock: ManualClock;
  client: AmiClient;
  events: AmiMessage[];
  statuses: AmiStatus[];
  logs: { message: string; context?: Record<string, unknown> }[];
  ready: () => number;
}

const rigs: Rig[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

async function rig(options: Partial<AmiClientOptions> = {}, fake?: FakeAmi): Promise<Rig> {
  const server = fake ?? (await startFakeAmi());
  const clock = new ManualClock();
  const events: AmiMessage[] = [];
  const statuses: AmiStatus[] = [];
  const logs: Rig['logs'] = [];
  let ready = 0;
  const client = createAmiClient({
    host: server.host, port: server.port, username: 'relay', secret: 'relay-secret',
    timers: clock, now: () => clock.now(), log: (message, context) => logs.push({ message, context }), random: () => 0,
    ...options,
  });
  client.onEvent((m) => { if (m.Event !== 'FullyBooted') events.push(m); });
  client.onStatus((s) => statuses.push(s));
  client.onReady(() => { ready += 1; });
  const r = { fake: server, clock, client, events, statuses, logs, ready: () => ready };
  rigs.push(r);
  return r;
}

const connected = (r: Rig, readyCount = 1) => waitUntil(`ready #${readyCount}`, () => r.ready() >= readyCount && r.client.status().state === 'connected');

afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.client.stop();
    await r.fake.close();
  }
  for (const c of cleanups.splice(0)) await c();
});

describe('the AMI client against a fake AMI on loopback', () => {
  it('logs in with the least event classes, becomes connected and calls onReady', async () => {
    const r = await rig();
    expect(r.client.status().state).not.toBe('connected');
    r.client.start();
    await connected(r);
    const [login] = r.fake.actions('Login');
    expect(login).toMatchObject({ Action: 'Login', Username: 'relay', Secret: 'relay-secret', Events: 'call,cdr,agent,dialplan' });
    expect(login!.ActionID).toMatch(/\S/);
    expect(r.statuses.map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(r.ready()).toBe(1);
  });

  it('refuses send() before the login with AmiError not_connected', async () => {
    const r = await rig();
    await expect(r.client.send({ Action: 'Ping' })).rejects.toMatchObject({ code: 'not_connected' });
  });

  it('a refused login: status login_refused, retried at maxMs, logged once, the secret never logged; then connects', async () => {
    const fake = await startFakeAmi({ secret: 'other' });
    const r = await rig({ secret: 'hunter2-secret' }, fake);
    r.client.start();
    await waitUntil('login_refused', () => r.client.status().state === 'login_refused');
    expect(r.client.status()).toMatchObject({ state: 'login_refused', reason: 'Authentication failed', retryInMs: 30_000 });
    r.clock.advance(29_999);
    expect(fake.actions('Login')).toHaveLength(1);
    r.clock.advance(1);
    await waitUntil('second login', () => fake.actions('Login').length === 2);
    await waitUntil('refused again', () => r.statuses.filter((s) => s.state === 'login_refused').length === 2);
    expect(r.logs.filter((l) => /refused/.test(l.message))).toHaveLength(1);
    fake.script.secret = 'hunter2-secret';
    r.clock.advance(30_000);
    await connected(r);
    expect(JSON.stringify(r.logs)).not.toContain('hunter2');
  });

  it('reconnects after the server drops mid-stream, with backoff, and calls onReady again', async () => {
    const r = await rig();
    r.client.start();
    await connected(r);
    r.fake.pushMessage({ Event: 'Newchannel', Uniqueid: '1.1' });
    await waitUntil('the event', () => r.events.length === 1);
    r.fake.script.handler = () => []; // other actions get no answer
    const unanswered = r.client.send({ Action: 'Status' });
    await waitUntil('Status received', () => r.fake.actions('Status').length === 1);
    r.fake.drop();
    await expect(unanswered).rejects.toMatchObject({ code: 'closed' });
    await waitUntil('disconnected', () => r.client.status().state === 'disconnected');
    expect(r.client.status()).toMatchObject({ state: 'disconnected', retryInMs: 250 });
    expect(r.fake.accepted()).toBe(1);
    r.clock.advance(250);
    await connected(r, 2);
    expect(r.fake.accepted()).toBe(2);
    r.fake.pushMessage({ Event: 'Hangup', Uniqueid: '1.1' });
    await waitUntil('the second event', () => r.events.length === 2);
    expect(r.statuses.map((s) => s.state)).toEqual(['connecting', 'connected', 'disconnected', 'connecting', 'connected']);
  });

  it('backs off exponentially while the PBX is down, and resets after a good login', async () => {
    const fake = await startFakeAmi();
    const port = fake.port;
    await fake.close();
    const r = await rig({ port }, await startFakeAmi());
    r.client.start();
    const waits: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      await waitUntil(`failure ${i + 1}`, () => r.statuses.filter((s) => s.state === 'disconnected').length === i + 1);
      const s = r.client.status();
      if (s.state === 'disconnected') waits.push(s.retryInMs);
      r.clock.advance(s.state === 'disconnected' ? s.retryInMs : 0);
    }
    // random() = 0: the low end of each jittered wait [base/2, base].
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 8000, 15000, 15000]);
    expect(r.logs.filter((l) => /connection lost/.test(l.message))).toHaveLength(1);
  });

  it('emits no partial message when the connection drops mid-message; the next connection starts clean', async () => {
    const r = await rig();
    r.client.start();
    await connected(r);
    // One write: a whole event, then half of the next.
    r.fake.push('Event: Newstate\r\nUniqueid: 9.8\r\n\r\nEvent: Newchannel\r\nUniqueid: 9.9\r\nChannel: SIP/1', { loggedInOnly: true });
    await waitUntil('the whole event', () => r.events.length === 1);
    r.fake.drop();
    await waitUntil('disconnected', () => r.client.status().state === 'disconnected');
    r.clock.advance(500);
    await connected(r, 2);
    // The half message's tail on the new connection completes nothing.
    r.fake.push('01\r\nLinkedid: 9.9\r\n\r\n', { loggedInOnly: true });
    r.fake.pushMessage({ Event: 'Hangup', Uniqueid: '1.1' });
    await waitUntil('an event after the reconnect', () => r.events.length > 1);
    expect(r.events).toEqual([{ Event: 'Newstate', Uniqueid: '9.8' }, { Event: 'Hangup', Uniqueid: '1.1' }]);
  });

  it('collects a CoreShowChannels list into the answer; its events do not reach onEvent', async () => {
    const r = await rig();
    r.fake.script.channels = [1, 2, 3].map((i) => ({ Channel: `SIP/10${i}-0000000${i}`, Uniqueid: `1.${i}`, Linkedid: '1.1', ChannelState: '6' }));
    r.client.start();
    await connected(r);
    const answer = await r.client.send({ Action: 'CoreShowChannels' });
    expect(answer.response).toMatchObject({ Response: 'Success', EventList: 'start' });
    expect(answer.events.map((e) => [e.Event, e.Uniqueid])).toEqual([['CoreShowChannel', '1.1'], ['CoreShowChannel', '1.2'], ['CoreShowChannel', '1.3']]);
    const sent = r.fake.actions('CoreShowChannels')[0]!;
    expect(answer.events.every((e) => e.ActionID === sent.ActionID)).toBe(true);
    r.fake.pushMessage({ Event: 'Newstate', Uniqueid: '1.1' });
    await waitUntil('a later event', () => r.events.length === 1);
    expect(r.events.map((e) => e.Event)).toEqual(['Newstate']);
  });

  it('gives each action its own ActionID, answers in any order, and passes OriginateResponse to onEvent', async () => {
    const r = await rig();
    r.fake.script.originate = (a) => ({ event: { Response: 'Success', Reason: '4', Uniqueid: a.ChannelId ?? '' } });
    r.client.start();
    await connected(r);
    const [ping, originate, unknown] = await Promise.all([
      r.client.send({ Action: 'Ping' }),
      r.client.send({ Action: 'Originate', Channel: 'SIP/101', ChannelId: 'call-1', ActionID: 'mine' }),
      r.client.send({ Action: 'NoSuchAction' }),
    ]);
    expect(ping.response).toMatchObject({ Response: 'Success', Ping: 'Pong' });
    expect(originate.response).toMatchObject({ Response: 'Success', Message: 'Originate successfully queued' });
    expect(unknown.response).toMatchObject({ Response: 'Error', Message: 'Invalid/unknown command' });
    const ids = r.fake.received.map((x) => x.action.ActionID);
    expect(new Set(ids).size).toBe(ids.length);
    await waitUntil('OriginateResponse', () => r.events.some((e) => e.Event === 'OriginateResponse'));
    expect(r.events.find((e) => e.Event === 'OriginateResponse')).toMatchObject({ Reason: '4', Uniqueid: 'call-1', ActionID: originate.response.ActionID });
  });

  it('refuses an action with CR/LF in a value and sends nothing', async () => {
    const r = await rig();
    r.client.start();
    await connected(r);
    const before = r.fake.received.length;
    await expect(r.client.send({ Action: 'Originate', Exten: '1\r\nAction: Command' })).rejects.toMatchObject({ code: 'invalid_action' });
    await r.client.send({ Action: 'Ping' });
    expect(r.fake.received.length).toBe(before + 1);
  });

  it('an unanswered action rejects with AmiError timeout after actionTimeoutMs; the connection stays', async () => {
    const r = await rig({ actionTimeoutMs: 5_000 });
    r.fake.script.handler = () => [];
    r.client.start();
    await connected(r);
    const status = r.client.send({ Action: 'Status' });
    await waitUntil('Status received', () => r.fake.actions('Status').length === 1);
    r.clock.advance(4_999);
    let settled = false;
    void status.catch(() => undefined).finally(() => { settled = true; });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    r.clock.advance(1);
    const error = await status.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmiError);
    expect(error).toMatchObject({ code: 'timeout' });
    expect(r.client.status().state).toBe('connected');
  });

  it('Ping keepalive: a silent server is detected, dropped and reconnected', async () => {
    const r = await rig({ pingEveryMs: 15_000, actionTimeoutMs: 10_000 });
    r.client.start();
    await connected(r);
    r.clock.advance(15_000);
    await waitUntil('first Ping', () => r.fake.actions('Ping').length === 1);
    // Answered: only the next Ping's timer is left (its answer timeout is cleared).
    await waitUntil('the Pong', () => r.clock.pending() === 1);
    expect(r.client.status().state).toBe('connected');
    r.fake.script.silent = true;
    r.clock.advance(15_000);
    await waitUntil('second Ping', () => r.fake.actions('Ping').length === 2);
    r.clock.advance(9_999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.client.status().state).toBe('connected');
    r.clock.advance(1);
    await waitUntil('disconnected', () => r.client.status().state === 'disconnected');
    expect(r.client.status()).toMatchObject({ state: 'disconnected', reason: 'ping unanswered' });
    await waitUntil('the server sees the socket closed', () => r.fake.open() === 0);
    r.fake.script.silent = false;
    r.clock.advance(250);
    await connected(r, 2);
  });

  it('delivers a flood of 500 calls (1000 messages in one write) in order', async () => {
    const r = await rig();
    r.client.start();
    await connected(r);
    const messages: string[] = [];
    for (let i = 0; i < 500; i += 1) messages.push(formatMessage({ Event: 'Newchannel', Privilege: 'call,all', Channel: `SIP/pstn-${i}`, Uniqueid: `1700.${i}`, Linkedid: `1700.${i}` }));
    for (let i = 0; i < 500; i += 1) messages.push(formatMessage({ Event: 'Hangup', Privilege: 'call,all', Channel: `SIP/pstn-${i}`, Uniqueid: `1700.${i}`, Cause: '16' }));
    r.fake.push(messages.join(''), { loggedInOnly: true });
    await waitUntil('1000 events', () => r.events.length === 1000);
    expect(r.events.slice(0, 500).map((e) => e.Uniqueid)).toEqual(Array.from({ length: 500 }, (_, i) => `1700.${i}`));
    expect(r.events.slice(500).every((e, i) => e.Event === 'Hangup' && e.Uniqueid === `1700.${i}`)).toBe(true);
  });

  it('replays a real capture to onEvent, in order, events only', async () => {
    const r = await rig();
    r.client.start();
    await connected(r);
    const raws = captureRaw('queue-answered').filter((raw) => raw.startsWith('Event:'));
    r.fake.push(raws.join(''), { loggedInOnly: true });
    await waitUntil('every event', () => r.events.length === raws.length);
    expect(r.events.map((e) => e.Event)).toEqual(raws.map((raw) => /^Event: (\S+)/.exec(raw)![1]));
  });

  it('stop(): rejects pending actions (closed), clears every timer, closes the socket, status stopped', async () => {
    const r = await rig();
    r.fake.script.handler = () => [];
    r.client.start();
    await connected(r);
    const pending = r.client.send({ Action: 'Status' });
    const rejected = expect(pending).rejects.toMatchObject({ code: 'closed' });
    await r.client.stop();
    await rejected;
    expect(r.client.status().state).toBe('stopped');
    expect(r.clock.pending()).toBe(0);
    await waitUntil('the server sees the socket closed', () => r.fake.open() === 0);
    r.client.start();
    expect(r.client.status().state).toBe('stopped');
    expect(r.fake.accepted()).toBe(1);
  });

  it('stop() while waiting to reconnect leaves no timer', async () => {
    const r = await rig();
    r.client.start();
    await connected(r);
    r.fake.drop();
    await waitUntil('disconnected', () => r.client.status().state === 'disconnected');
    expect(r.clock.pending()).toBe(1);
    await r.client.stop();
    expect(r.clock.pending()).toBe(0);
  });
});

describe('the AMI client over TLS', () => {
  const openssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  /** A TLS front (a self-signed certificate made now) passing the bytes to a fake AMI. */
  async function tlsFront(fake: FakeAmi): Promise<{ port: number; cert: string }> {
    if (!openssl) throw new Error('openssl is needed to make the TLS test certificate (Debian: apt-get install openssl)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ami-tls-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const key = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', certFile, '-days', '1', '-subj', '/CN=pbx.test', '-addext', 'subjectAltName=DNS:pbx.test'], { stdio: 'ignore' });
    const cert = fs.readFileSync(certFile, 'utf8');
    const server = tls.createServer({ key: fs.readFileSync(key), cert }, (front) => {
      const back = net.connect(fake.port, fake.host);
      front.pipe(back).pipe(front);
      front.on('error', () => back.destroy());
      back.on('error', () => front.destroy());
      front.on('close', () => back.destroy());
      back.on('close', () => front.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { port: (server.address() as net.AddressInfo).port, cert };
  }

  it('logs in through TLS with the PBX certificate as CA', async () => {
    const fake = await startFakeAmi();
    const front = await tlsFront(fake);
    const r = await rig({ port: front.port, tls: { ca: front.cert, servername: 'pbx.test' } }, fake);
    r.client.start();
    await connected(r);
    expect((await r.client.send({ Action: 'Ping' })).response.Ping).toBe('Pong');
  });

  it('refuses a certificate it does not trust (disconnected, never logged in)', async () => {
    const fake = await startFakeAmi();
    const front = await tlsFront(fake);
    const r = await rig({ port: front.port, tls: { servername: 'pbx.test' } }, fake);
    r.client.start();
    await waitUntil('disconnected', () => r.client.status().state === 'disconnected');
    expect(r.client.status()).toMatchObject({ state: 'disconnected', reason: expect.stringMatching(/SELF_SIGNED|CERT/) });
    expect(fake.actions('Login')).toHaveLength(0);
  });
});
