/**
 * The ticket handover as the leader wires it (src/app/leader.ts, src/feed/ticket-handover.ts):
 * the leader shares the ticket it holds in its tab state, and the next leader of the same user
 * subscribes with it at once, with no request to Kommo or the relay; otherwise it asks.
 */
import { startLeader } from '../../../src/app/leader';
import type { LeaderDeps } from '../../../src/app/leader';
import type { SharedTabState } from '../../../src/app/tab-payloads';
import type { TicketAnswer } from '../../../src/feed/relay-access';
import type { SharedTicket } from '../../../src/feed/ticket-handover';
import { ENGLISH_NOTIFY_STRINGS } from '../../../src/notify';
import type { CallPopup } from '../../../src/notify';
import type { LeadContext } from '../../../src/tabs';
import { fakeWebSocket } from '../feed/fake-socket';
import { ManualClock, recordingLogger } from '../feed/support';

const USER = '7';

function setup(handedTicket?: SharedTicket | null) {
  const clock = new ManualClock();
  const ws = fakeWebSocket();
  const asked: Array<(answer: TicketAnswer) => void> = [];
  const published: SharedTabState[] = [];
  const page = {
    protocol: 'https:',
    origin: 'https://acme.kommo.com',
    isVisible: () => true,
    hasFocus: () => true,
    onVisibilityChange: () => () => undefined,
    onOnline: () => () => undefined,
    onAttention: () => () => undefined,
    onUnload: () => () => undefined,
  };
  const deps: LeaderDeps = {
    settings: { transport: { kind: 'ws', url: 'wss://relay.example.com/ws' }, token: '', phones: {}, notifyMode: 'widget' },
    user: { id: USER },
    locale: 'en',
    strings: { notify: ENGLISH_NOTIFY_STRINGS, unnamed: (type, id) => `${type} ${id}` },
    sink: { showPopup: () => undefined, addCall: () => undefined },
    page,
    clock,
    logger: recordingLogger(),
    fetch: (() => Promise.reject(new Error('no network'))) as typeof fetch,
    WebSocket: ws.WebSocket,
    ticketPost: () => new Promise<TicketAnswer>((resolve) => asked.push(resolve)),
    random: () => 0,
    extensions: [],
    servingOthers: () => true,
    onFeedStatus: () => undefined,
    onAccess: () => undefined,
    handedTicket,
  };
  const ctx: LeadContext<CallPopup, SharedTabState> = {
    showPopup: () => undefined,
    publish: (state) => void published.push(state),
    notifiedIds: [],
    wasNotified: () => false,
    markNotified: () => undefined,
  };
  const lead = startLeader(deps, ctx);
  const subscribe = () => {
    ws.latest().open();
    return JSON.parse(ws.latest().sent[0]!) as { type: string; ticket?: string; extensions?: string[] };
  };
  return { clock, ws, asked, published, lead, subscribe };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

test('the leader shares the ticket it got, with its expiry, the user and the extensions', async () => {
  const t = setup();
  expect(t.asked).toHaveLength(1);
  expect(t.ws.sockets).toHaveLength(0);
  t.asked.shift()!({ status: 200, body: { v: 2, ticket: 'own', expires_in: 600, user_id: USER, extensions: ['101'] } });
  await flush();
  expect(t.subscribe()).toMatchObject({ type: 'subscribe', ticket: 'own', extensions: ['101'] });
  expect(t.published.at(-1)?.ticket).toEqual({ ticket: 'own', expiresAt: t.clock.now() + 600_000, lifeMs: 600_000, userId: USER, extensions: ['101'] });
  t.lead.stop();
});

test("the next leader of the same user subscribes with the shared ticket at once, with no request, and renews it at 80 % of its life", async () => {
  const clock = new ManualClock();
  const handed: SharedTicket = { ticket: 'handed', expiresAt: clock.now() + 300_000, lifeMs: 600_000, userId: USER, extensions: ['101', '102'] };
  const t = setup(handed);
  expect(t.asked).toHaveLength(0);
  expect(t.subscribe()).toMatchObject({ type: 'subscribe', ticket: 'handed', extensions: ['101', '102'] });
  expect(t.published.at(-1)?.ticket).toEqual(handed);
  // 80 % of 600 s is 180 s from now (300 s left).
  t.clock.advance(179_999);
  expect(t.asked).toHaveLength(0);
  t.clock.advance(1);
  expect(t.asked).toHaveLength(1);
  t.lead.stop();
});

test("another user's ticket, or one with a minute or less left, is not used: the leader asks for its own", () => {
  const clock = new ManualClock();
  const handed: SharedTicket = { ticket: 'handed', expiresAt: clock.now() + 300_000, lifeMs: 600_000, userId: '8', extensions: ['201'] };
  const other = setup(handed);
  expect(other.asked).toHaveLength(1);
  expect(other.ws.sockets).toHaveLength(0);
  other.lead.stop();
  const short = setup({ ...handed, userId: USER, expiresAt: clock.now() + 60_000 });
  expect(short.asked).toHaveLength(1);
  short.lead.stop();
});
