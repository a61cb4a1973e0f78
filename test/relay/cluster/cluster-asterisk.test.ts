/**
 * The Asterisk adapter on a cluster (docs/cluster.md "Asterisk on a cluster"): two built relay
 * nodes configured alike with `--ami-host`, one real redis-server, a fake AMI server replaying a
 * real Asterisk 20 capture. What the PBX and the widgets see: one AMI login at a time; a call read
 * by the holder reaches a widget on the other node; a click on the standby node is one Originate
 * on the holder's connection; the holder killed with kill -9 mid-call: the other node logs in,
 * resynchronises, and the call's end reaches the widget once.
 */
import { captureRaw, startFakeAmi } from '../../support/fake-ami';
import type { FakeAmi } from '../../support/fake-ami';
import { startRedis } from '../../support/redis-server';
import type { RedisServer } from '../../support/redis-server';
import { waitUntil } from '../../support/wait';
import { brief, buildRelayIfStale, client, stopAll } from '../harness';
import type { TestClient } from '../harness';
import { health, startNode, stopNodes, subscribe, WIDGET_TOKEN } from './nodes';
import type { RelayProcess } from '../../../scripts/bench/relay-process';

jest.setTimeout(60_000);

const AMI_SECRET = 'cluster-ami-secret-never-logged';
let redis: RedisServer;
let ami: FakeAmi;
beforeAll(() => buildRelayIfStale());
beforeEach(async () => {
  redis = await startRedis();
  ami = await startFakeAmi({ username: 'relay', secret: AMI_SECRET });
});
afterEach(async () => {
  await stopAll();
  await stopNodes();
  await ami.close();
  await redis.stop();
});

const amiNode = () => startNode(redis.url, ['--ami-host', '127.0.0.1', '--ami-port', String(ami.port), '--ami-user', 'relay'], { RELAY_AMI_SECRET: AMI_SECRET });
const role = async (node: RelayProcess) => ((await health(node.url)).pbx as { role: string }).role;
const callFrames = (c: TestClient) => c.frames.filter((f) => f.type === 'call').map((f) => f.call);

/** Two nodes, once one holds the PBX connection: [holder, standby]. */
async function pair(): Promise<[RelayProcess, RelayProcess]> {
  const nodes = [await amiNode(), await amiNode()];
  await waitUntil('one node holds the PBX connection', async () => (await Promise.all(nodes.map(role))).includes('holder') && ami.loggedIn() === 1);
  const roles = await Promise.all(nodes.map(role));
  expect([...roles].sort()).toEqual(['holder', 'standby']);
  const holder = roles.indexOf('holder');
  return [nodes[holder]!, nodes[1 - holder]!];
}

function splitAt(name: string, cut: RegExp): [string[], string[]] {
  const raw = captureRaw(name);
  const at = raw.findIndex((m) => cut.test(m));
  return [raw.slice(0, at), raw.slice(at)];
}

test('one AMI login for the cluster; a call the holder reads reaches a widget on the standby node, once', async () => {
  const [holder, standby] = await pair();
  expect(ami.open()).toBe(1);
  const widget = await client(standby.wsUrl, subscribe());
  await widget.frame('snapshot');
  ami.push(captureRaw('direct-answered').join(''));
  await waitUntil('ended', () => callFrames(widget).some((c) => (c as { state: string }).state === 'ended'));
  expect(brief(callFrames(widget))).toEqual(['1796174349.2:101:ringing', '1796174349.2:101:answered', '1796174349.2:101:ended:answered']);
  expect(ami.open()).toBe(1);
  expect((await health(standby.url)).pbx).toMatchObject({ connected: false, state: 'standby' });
  expect((await health(holder.url)).pbx).toMatchObject({ connected: true, role: 'holder', events_waiting: 0 });
  expect(holder.stderr() + standby.stderr()).not.toContain(AMI_SECRET);
});

test('click-to-call on the standby node: one Originate on the holder\'s AMI connection, the answer back to the widget', async () => {
  const [, standby] = await pair();
  ami.script.originate = (action) => ({ event: { Response: 'Success', Uniqueid: action.ChannelId ?? '', Channel: 'SIP/101-0000000a', Reason: '4' } });
  const res = await fetch(`${standby.url}/originate`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${WIDGET_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ number: '+442071838750', extension: '101' }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  expect({ status: res.status, ok: body.ok, extension: body.extension }).toEqual({ status: 200, ok: true, extension: '101' });
  const originates = ami.actions('Originate');
  expect(originates).toHaveLength(1);
  expect(originates[0]).toMatchObject({ Channel: 'SIP/101', Exten: '442071838750', ChannelId: body.id });
});

test('the holder killed with kill -9 mid-call: the other node logs in, resynchronises, and the call ends once on its widget', async () => {
  const [holder, standby] = await pair();
  const widget = await client(standby.wsUrl, subscribe());
  await widget.frame('snapshot');
  const [talk, hangUp] = splitAt('direct-answered', /^Event: Hangup/m);
  ami.push(talk.join(''));
  await waitUntil('answered', () => brief(callFrames(widget)).includes('1796174349.2:101:answered'));
  ami.script.channels = [
    { Channel: 'SIP/pstn-00000002', ChannelState: '6', ChannelStateDesc: 'Up', CallerIDNum: '+18305803077', ConnectedLineNum: '101', Exten: '5550100', Context: 'from-pstn', Uniqueid: '1796174349.2', Linkedid: '1796174349.2', Application: 'Dial', BridgeId: 'b-1', Duration: '00:00:04' },
    { Channel: 'SIP/101-00000003', ChannelState: '6', ChannelStateDesc: 'Up', CallerIDNum: '101', ConnectedLineNum: '+18305803077', Exten: '5550100', Context: 'from-internal', Uniqueid: '1796174349.3', Linkedid: '1796174349.2', Application: 'AppDial', BridgeId: 'b-1', Duration: '00:00:04' },
  ];
  const killedAt = Date.now();
  await holder.kill9();
  await waitUntil('the other node holds the PBX connection', async () => (await role(standby)) === 'holder' && ami.actions('CoreShowChannels').length === 2, { timeoutMs: 15_000 });
  const tookMs = Date.now() - killedAt;
  await waitUntil('connected', async () => ((await health(standby.url)).pbx as { connected: boolean }).connected);
  ami.push(hangUp.join(''), { loggedInOnly: true });
  await waitUntil('ended', () => callFrames(widget).some((c) => (c as { state: string }).state === 'ended'));
  expect(brief(callFrames(widget))).toEqual(['1796174349.2:101:ringing', '1796174349.2:101:answered', '1796174349.2:101:ended:answered']);
  // The lease is 3 s, renewed every second: the standby takes it within that, plus a login.
  expect(tookMs).toBeLessThan(6_000);
});

test('Redis away while a call rings and ends: the holder keeps its AMI connection, the events wait there (health says how many), and reach every widget once Redis is back', async () => {
  const [holder, standby] = await pair();
  const widgets = [await client(holder.wsUrl, subscribe()), await client(standby.wsUrl, subscribe())];
  await Promise.all(widgets.map((w) => w.frame('snapshot')));
  await redis.kill9();
  await waitUntil('Redis unreachable', async () => (await health(holder.url)).cluster.redis === 'unreachable');
  ami.push(captureRaw('direct-answered').join(''));
  await waitUntil('the events wait on the holder', async () => ((await health(holder.url)).pbx as { events_waiting: number }).events_waiting >= 3);
  expect(ami.open()).toBe(1); // neither let go nor a second login
  expect(widgets.map(callFrames)).toEqual([[], []]);
  await redis.restart();
  for (const w of widgets) await waitUntil('ended on every widget', () => callFrames(w).some((c) => (c as { state: string }).state === 'ended'), { timeoutMs: 20_000 });
  expect(widgets.map((w) => brief(callFrames(w)))).toEqual(Array(2).fill(['1796174349.2:101:ringing', '1796174349.2:101:answered', '1796174349.2:101:ended:answered']));
  expect(((await health(holder.url)).pbx as { events_waiting: number }).events_waiting).toBe(0);
  expect(ami.loggedIn()).toBe(1);
});
