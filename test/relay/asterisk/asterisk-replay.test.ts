/**
 * The whole Asterisk adapter (openAsterisk: client, tracker, source) inside a real relay on
 * loopback, fed by a fake AMI server replaying real Asterisk 20 captures
 * (test/fixtures/asterisk): what a widget subscribed over the WebSocket receives, and what
 * /health says, through a reconnect mid-call with its resync, a refused login, a half-received
 * message and a flood of 500 channels.
 */
import { openAsterisk } from '../../../relay/src/asterisk/open-asterisk';
import type { OpenedAsterisk } from '../../../relay/src/asterisk/open-asterisk';
import { captureRaw, formatMessage, startFakeAmi } from '../../support/fake-ami';
import type { FakeAmi } from '../../support/fake-ami';
import { waitUntil } from '../../support/wait';
import { brief, PBX, relay, stopAll, subscribeV2 } from '../harness';
import type { TestClient, TestRelay } from '../harness';

const USER = 'kommo-relay';
const SECRET = 'ami-secret-never-logged';

let ami: FakeAmi;
afterEach(async () => {
  await stopAll();
  await ami?.close();
});

/** The adapter's clock: a replay pushes a call at once, so the test moves time where the capture's talk was. */
const clock = { ms: Date.now() };

/** What the adapter logged (the relay's own log is TestRelay.logs). */
let logs: string[] = [];

async function relayOnAmi(secret = SECRET): Promise<{ t: TestRelay; opened: OpenedAsterisk }> {
  logs = [];
  const opened = openAsterisk(
    {
      ami: { host: ami.host, port: ami.port, tls: false, username: USER, secret, backoff: { firstMs: 20, maxMs: 100 } },
      originate: {},
      recordings: { dir: '/var/spool/asterisk/monitor', template: 'https://pbx.example.com/rec/{path}' },
      now: () => clock.ms,
    },
    (message, context) => logs.push(`${message} ${JSON.stringify(context ?? {})}`),
  );
  const t = await relay({ pbxSource: opened.source, originate: { adapter: opened.originate! } }, { ms: Date.now() });
  return { t, opened };
}

/** A fake AMI with the relay logged in, and a version-2 widget on `extensions` past its snapshot. */
async function widgetOnAmi(extensions: string[]): Promise<{ t: TestRelay; widget: TestClient }> {
  ami = await startFakeAmi({ username: USER, secret: SECRET });
  const { t } = await relayOnAmi();
  await waitUntil('logged in', () => ami.loggedIn() === 1);
  const widget = await t.client(subscribeV2(extensions));
  await widget.frame('snapshot');
  return { t, widget };
}

const health = async (t: TestRelay) => {
  const res = await fetch(`${t.r.url}/health`, { headers: { Authorization: `Bearer ${PBX}` } });
  return (await res.json()) as { calls: number; pbx: { connected: boolean; state: string; reason?: string; live_legs: number } };
};
const callFrames = (c: TestClient) => c.frames.filter((f) => f.type === 'call').map((f) => f.call);

/** The capture's messages split where `cut` first matches (the cut message goes to the second part). */
function splitAt(name: string, cut: RegExp): [string[], string[]] {
  const raw = captureRaw(name);
  const at = raw.findIndex((m) => cut.test(m));
  if (at < 0) throw new Error(`${name}: nothing matches ${cut}`);
  return [raw.slice(0, at), raw.slice(at)];
}

test('a real capture (direct call, answered) reaches the widget as ringing, answered, ended with talk time and the linked recording', async () => {
  const { t, widget } = await widgetOnAmi(['101']);
  const [talk, hangUp] = splitAt('direct-answered', /^Event: Hangup/m);
  ami.push(talk.join(''));
  await waitUntil('answered', () => brief(callFrames(widget)).includes('1796174349.2:101:answered'));
  clock.ms += 6_500; // the capture's talk: BridgeEnter at 2.0 s, Hangup at 8.5 s
  ami.push(hangUp.join(''));
  await waitUntil('ended', () => callFrames(widget).some((c) => (c as { state: string }).state === 'ended'));
  const legs = callFrames(widget);
  expect(brief(legs)).toEqual(['1796174349.2:101:ringing', '1796174349.2:101:answered', '1796174349.2:101:ended:answered']);
  expect(legs[2]).toMatchObject({ direction: 'inbound', phone: '+18305803077', duration: 7 });
  expect((legs[2] as { recording_url: string }).recording_url).toMatch(/^https:\/\/pbx\.example\.com\/rec\/\d{4}\/\d{2}\/\d{2}\/in-5550100-%2B18305803077-.*\.wav$/);
  expect([...logs, ...t.logs].join('\n')).not.toContain(SECRET);
});

test('reconnect mid-call: the connection drops while 101 talks; after the new login the resync keeps the call, and its end arrives once', async () => {
  const [before, after] = splitAt('direct-answered', /^Event: Hangup/m);
  const { t, widget } = await widgetOnAmi(['101']);
  ami.push(before.join(''));
  await waitUntil('answered', () => brief(callFrames(widget)).includes('1796174349.2:101:answered'));
  // What Asterisk lists mid-call (the channels of this capture, both up and bridged).
  ami.script.channels = [
    { Event: 'CoreShowChannel', Channel: 'SIP/pstn-00000002', ChannelState: '6', ChannelStateDesc: 'Up', CallerIDNum: '+18305803077', ConnectedLineNum: '101', Exten: '5550100', Context: 'from-pstn', Uniqueid: '1796174349.2', Linkedid: '1796174349.2', Application: 'Dial', BridgeId: 'b-1', Duration: '00:00:04' },
    { Event: 'CoreShowChannel', Channel: 'SIP/101-00000003', ChannelState: '6', ChannelStateDesc: 'Up', CallerIDNum: '101', ConnectedLineNum: '+18305803077', Exten: '5550100', Context: 'from-internal', Uniqueid: '1796174349.3', Linkedid: '1796174349.2', Application: 'AppDial', BridgeId: 'b-1', Duration: '00:00:04' },
  ];
  ami.drop();
  await waitUntil('logged in again and resynchronised', () => ami.actions('CoreShowChannels').length === 2);
  await waitUntil('the resync is applied', async () => (await health(t)).pbx.connected);
  ami.push(after.join(''));
  await waitUntil('ended', () => callFrames(widget).some((c) => (c as { state: string }).state === 'ended'));
  expect(brief(callFrames(widget))).toEqual(['1796174349.2:101:ringing', '1796174349.2:101:answered', '1796174349.2:101:ended:answered']);
});

test('the call ended while the relay was disconnected: the resync finds it gone and ends it as expired (outcome unknown)', async () => {
  const [before] = splitAt('direct-answered', /^Event: Hangup/m);
  const { t, widget } = await widgetOnAmi(['101']);
  ami.push(before.join(''));
  await waitUntil('answered', () => brief(callFrames(widget)).includes('1796174349.2:101:answered'));
  ami.script.channels = [];
  ami.drop();
  await waitUntil('ended by the resync', () => callFrames(widget).length === 3);
  expect(brief(callFrames(widget))).toEqual(['1796174349.2:101:ringing', '1796174349.2:101:answered', '1796174349.2:101:ended:answered:expired']);
});

test('a refused login: /health says login_refused (no secret in it or the log), the PBX endpoint still serves, and a fixed secret connects', async () => {
  ami = await startFakeAmi({ username: USER, secret: 'the-right-one' });
  const { t, opened } = await relayOnAmi();
  await waitUntil('refused', async () => (await health(t)).pbx.state === 'login_refused');
  const h = await health(t);
  expect(h.pbx).toMatchObject({ connected: false, state: 'login_refused', reason: expect.stringMatching(/Authentication failed/) });
  expect(JSON.stringify(h)).not.toContain(SECRET);
  expect((await t.postJson([{ call_id: 'posted-1', state: 'ringing', direction: 'inbound', phone: '+1', extension: '101' }])).status).toBe(200);
  expect(opened.source.status()).toMatchObject({ state: 'login_refused' });
  // The admin fixes manager.conf: the next retry logs in.
  ami.script.secret = SECRET;
  await waitUntil('connected', async () => (await health(t)).pbx.connected);
  expect(logs.join('\n')).toMatch(/refused/i);
  expect([...logs, ...t.logs].join('\n')).not.toContain(SECRET);
});

test('a half-received message, then the connection drops: nothing half-parsed reaches the widget; the relay logs in again', async () => {
  const { t, widget } = await widgetOnAmi(['101']);
  const [first] = captureRaw('direct-answered').filter((m) => m.startsWith('Event: Newchannel'));
  ami.push(first!.slice(0, Math.floor(first!.length / 2)));
  ami.drop();
  await waitUntil('logged in again', () => ami.actions('Login').length === 2 && ami.loggedIn() === 1);
  // An unknown event and a channel without caller ID change nothing and crash nothing.
  ami.pushMessage({ Event: 'SomethingNew', Privilege: 'call,all', Foo: 'bar' });
  ami.pushMessage({ Event: 'Newchannel', Channel: 'SIP/pstn-000000ff', ChannelState: '0', CallerIDNum: '', CallerIDName: '', Exten: '5550100', Context: 'from-pstn', Uniqueid: '9.1', Linkedid: '9.1' });
  ami.pushMessage({ Event: 'Hangup', Channel: 'SIP/pstn-000000ff', Uniqueid: '9.1', Linkedid: '9.1', Cause: '16' });
  await waitUntil('still serving', async () => (await health(t)).pbx.connected);
  expect(callFrames(widget)).toEqual([]);
  expect(logs.join('\n')).toMatch(/reconnect|dropped|closed/i);
});

test('a flood of 500 calls in one write: every leg rings, every one ends missed, in order; the relay answers /health throughout', async () => {
  const [ring, end] = splitAt('direct-missed', /^Event: HangupRequest/m);
  const copy = (messages: string[], i: number) =>
    messages
      .join('')
      .replaceAll('1796174377.6', `1800000${i}.6`)
      .replaceAll('1796174377.7', `1800000${i}.7`)
      .replaceAll('SIP/101-00000007', `SIP/${2000 + i}-${i.toString(16).padStart(8, '0')}`)
      .replaceAll('SIP/pstn-00000006', `SIP/pstn-${(10_000 + i).toString(16).padStart(8, '0')}`);
  const { t, widget } = await widgetOnAmi(['2000', '2250', '2499']);
  ami.push(Array.from({ length: 500 }, (_, i) => copy(ring, i)).join(''));
  await waitUntil('500 live legs', async () => (await health(t)).pbx.live_legs === 500, { timeoutMs: 15_000 });
  ami.push(Array.from({ length: 500 }, (_, i) => copy(end, i)).join(''));
  await waitUntil('all ended', async () => (await health(t)).pbx.live_legs === 0, { timeoutMs: 15_000 });
  await waitUntil('the widget saw its three', () => callFrames(widget).length === 6);
  expect(brief(callFrames(widget)).sort()).toEqual(
    ['18000000.6:2000:ringing', '18000000.6:2000:ended:missed', '1800000250.6:2250:ringing', '1800000250.6:2250:ended:missed', '1800000499.6:2499:ringing', '1800000499.6:2499:ended:missed'].sort(),
  );
  expect((await health(t)).calls).toBe(500);
});
