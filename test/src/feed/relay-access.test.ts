/**
 * The leader's access to the relay (which answer means what: access-from.test.ts): the ticket flow end to end against the real relay on loopback: the first ticket, the
 * feed subscribing with it, the renewal at 80 % on the open socket, a ticket that outlived an
 * outage, a relay restarted with another ticket key. One manual clock drives the widget and the
 * relay; the HTTP and the sockets are real.
 */
import { WebSocket as WsWebSocket } from 'ws';
import { createCallFeed } from '../../../src/feed';
import type { CallChange, FeedStatus } from '../../../src/feed';
import { createRelayAccess } from '../../../src/feed/relay-access';
import type { TicketPost } from '../../../src/feed/relay-access';
import { KOMMO, PBX, event, kommoAuth, kommoJwt, relay, stopAll } from '../../relay/harness';
import type { TestRelay } from '../../relay/harness';
import { eventually, waitUntil } from '../../support/wait';
import { FakePage, ManualClock, recordingLogger } from './support';

afterEach(stopAll);

interface Flow {
  t: TestRelay;
  clock: ManualClock;
  posts: number;
  statuses: FeedStatus[];
  changes: CallChange[];
  subscribes: Array<Record<string, unknown>>;
  auths: number;
  pings: number;
  pongs: number;
  /** Moves the clock in 2 s steps, each ping answered before the next: a live socket's idea of time. */
  advanceLive(ms: number): Promise<void>;
  start(): Promise<void>;
  stop(): void;
}

/** The widget's leader as leader.ts wires it: relay access first, then the feed with the ticket's extensions. */
async function ticketFlow(ttlS = 60): Promise<Flow> {
  const clock = new ManualClock();
  const relayClock = {
    get ms() {
      return clock.now();
    },
  };
  const t = await relay({ token: undefined, auth: kommoAuth({ ticketTtlS: ttlS }) }, relayClock as { ms: number });
  const flow = { t, clock, posts: 0, statuses: [], changes: [], subscribes: [], auths: 0, pings: 0, pongs: 0 } as unknown as Flow;
  flow.advanceLive = async (ms) => {
    for (let left = ms; left > 0; left -= 2000) {
      clock.advance(Math.min(2000, left));
      await waitUntil('the pong', () => flow.pongs >= flow.pings);
    }
  };
  // $authorizedAjax as the platform layer turns it into a TicketPost: Kommo's token at the current time.
  const post: TicketPost = async (url) => {
    flow.posts += 1;
    const res = await fetch(url, { method: 'POST', headers: { 'X-Auth-Token': await kommoJwt(clock.now()), Origin: KOMMO.origin } });
    const body = await res.json();
    return { status: res.status, body };
  };
  class Recording extends WsWebSocket {
    constructor(address: string) {
      super(address);
      this.addEventListener('message', (m) => {
        if ((JSON.parse(String(m.data)) as { type?: string }).type === 'pong') flow.pongs += 1;
      });
    }
    override send(data: string): void {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      if (frame.type === 'subscribe') flow.subscribes.push(frame);
      if (frame.type === 'auth') flow.auths += 1;
      if (frame.type === 'ping') flow.pings += 1;
      super.send(data);
    }
  }
  const page = new FakePage('http:');
  const access = createRelayAccess({ ticketUrl: `${t.r.url}/ticket`, post, token: '', clock, logger: recordingLogger(), random: () => 0, hidden: () => false });
  let feed: ReturnType<typeof createCallFeed> | null = null;
  flow.start = () =>
    new Promise<void>((resolve) =>
      access.start((granted) => {
        if (granted.mode !== 'ticket') throw new Error(`expected a ticket, got ${granted.mode}`);
        feed = createCallFeed({
          transport: { kind: 'ws', url: t.r.wsUrl },
          credentials: access.credentials,
          extensions: granted.extensions,
          clock,
          logger: recordingLogger(),
          WebSocket: Recording as unknown as typeof WebSocket,
          fetch,
          page,
          random: () => 0,
        });
        feed.on('status', (s) => flow.statuses.push(s));
        feed.on('change', (c) => flow.changes.push(c));
        feed.start();
        resolve();
      }),
    );
  flow.stop = () => {
    feed?.stop();
    access.stop();
  };
  return flow;
}

const opened = (f: Flow) => f.statuses.filter((s) => s.status === 'open').length;
const pbx = (f: Flow, body: unknown) =>
  fetch(`${f.t.r.url}/pbx/events`, { method: 'POST', headers: { Authorization: `Bearer ${PBX}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

test('the feed subscribes with the ticket (never a token) to the extensions the relay gave, and its calls arrive', async () => {
  const f = await ticketFlow();
  await f.start();
  await waitUntil('open', () => opened(f) === 1);
  expect(f.subscribes).toHaveLength(1);
  expect(f.subscribes[0]).toMatchObject({ ticket: expect.any(String), extensions: ['101'] });
  expect(f.subscribes[0]).not.toHaveProperty('token');
  await pbx(f, event('c1', 'ringing'));
  await waitUntil('the call', () => f.changes.length === 1);
  f.stop();
});

test('renewal at 80 % of the ticket: a new ticket goes out as auth on the open socket, and a call after the old ticket expired still arrives', async () => {
  const f = await ticketFlow(60);
  await f.start();
  await waitUntil('open', () => opened(f) === 1);
  expect(f.posts).toBe(1);
  await f.advanceLive(47_999);
  expect(f.posts).toBe(1);
  f.clock.advance(1);
  await waitUntil('the renewal posted', () => f.posts === 2);
  await waitUntil('the renewed ticket sent as auth', () => f.auths === 1);
  expect(f.posts).toBe(2);
  // Past the first ticket's exp (60 s): the socket is the same, and it still delivers.
  await f.advanceLive(20_000);
  await pbx(f, event('c2', 'ringing'));
  await waitUntil('the call', () => f.changes.length === 1);
  expect(f.subscribes).toHaveLength(1);
  expect(opened(f)).toBe(1);
  f.stop();
});

test('a ticket that outlived an outage (4419 on resubscribe) is renewed and the feed is back with one more subscribe', async () => {
  const f = await ticketFlow(60);
  await f.start();
  await waitUntil('open', () => opened(f) === 1);
  const port = f.t.r.port;
  await f.t.close();
  // Down for longer than the ticket lives; the renewal at 48 s finds no relay.
  f.clock.advance(90_000);
  const sameClock = { get ms() { return f.clock.now(); } } as { ms: number };
  const back = await relay({ token: undefined, auth: kommoAuth({ ticketTtlS: 60 }), port } as Parameters<typeof relay>[0], sameClock);
  f.t = back;
  // Retries run on the manual clock: advance it whenever the widget waits on it, until it is open again.
  for (let i = 0; i < 40 && opened(f) < 2; i++) {
    const seen = f.statuses.length;
    f.clock.advance(1_000);
    await eventually(() => f.statuses.length > seen || opened(f) >= 2, { timeoutMs: 2_000 });
  }
  await waitUntil('open again', () => opened(f) === 2);
  const last = f.subscribes.at(-1)!;
  expect(last.ticket).not.toBe(f.subscribes[0]!.ticket);
  await pbx(f, event('c3', 'ringing'));
  await waitUntil('the call', () => f.changes.length === 1);
  f.stop();
});
