/**
 * The order a new leader starts in (src/app/leader-calls.ts): the socket to the relay first,
 * then the lookup and the notifier with their desktop notifications, all before any frame can
 * arrive; and the first feed status, published before the notifier exists, still reaches the tabs.
 */
import { startLeader } from '../../../src/app/leader';
import type { LeaderDeps } from '../../../src/app/leader';
import type { SharedTabState } from '../../../src/app/tab-payloads';
import { ENGLISH_NOTIFY_STRINGS } from '../../../src/notify';
import type { CallPopup } from '../../../src/notify';
import type { DesktopNotifications } from '../../../src/notify/desktop-types';
import type { LeadContext } from '../../../src/tabs';
import { fakeWebSocket } from '../feed/fake-socket';
import { ManualClock, recordingLogger } from '../feed/support';

function setup() {
  const clock = new ManualClock();
  const order: string[] = [];
  const ws = fakeWebSocket();
  const published: SharedTabState[] = [];
  const shown: CallPopup[] = [];
  const desktop: DesktopNotifications = { permission: () => 'denied', request: async () => 'denied', show: () => null, open: () => undefined };
  const deps: LeaderDeps = {
    settings: { transport: { kind: 'ws', url: 'wss://relay.example.com/ws' }, token: 'shared', phones: {}, notifyMode: 'widget' },
    user: { id: '7' },
    locale: 'en',
    strings: { notify: ENGLISH_NOTIFY_STRINGS, unnamed: (type, id) => `${type} ${id}` },
    sink: { showPopup: () => undefined, addCall: () => undefined },
    desktop,
    page: {
      protocol: 'https:',
      origin: 'https://acme.kommo.com',
      isVisible: () => true,
      hasFocus: () => true,
      onVisibilityChange: () => () => undefined,
      onOnline: () => () => undefined,
      onAttention: () => () => undefined,
      onUnload: () => () => undefined,
    },
    clock,
    logger: recordingLogger(),
    fetch: (() => Promise.reject(new Error('no network'))) as typeof fetch,
    WebSocket: class extends ws.WebSocket {
      constructor(url: string | URL) {
        super(url);
        order.push('socket');
      }
    } as typeof WebSocket,
    random: () => 0,
    extensions: ['101'],
    servingOthers: () => true,
    onFeedStatus: (status) => void order.push(`status ${status.status}`),
    onAccess: () => undefined,
    // Registered when the desktop notifications are built, with the notifier.
    onDisplayed: () => {
      order.push('notifier');
      return () => undefined;
    },
  };
  const ctx: LeadContext<CallPopup, SharedTabState> = {
    showPopup: (popup) => void shown.push(popup),
    publish: (state) => void published.push(state),
    notifiedIds: [],
    wasNotified: () => false,
    markNotified: () => undefined,
  };
  return { clock, order, ws, published, shown, lead: startLeader(deps, ctx) };
}

test('the socket opens before the lookup and the notifier are built, and the first status is published', () => {
  const t = setup();
  expect(t.order).toEqual(['status connecting', 'socket', 'notifier']);
  expect(t.published.at(-1)).toMatchObject({ feed: 'connecting', access: 'shared-token', extensions: ['101'] });
  t.lead.stop();
});

const flush = () => new Promise((resolve) => setImmediate(resolve));

test('a call on the socket opened first pops up: the notifier is there before any frame', async () => {
  const t = setup();
  const socket = t.ws.latest();
  socket.open();
  socket.deliver(JSON.stringify({ type: 'snapshot', calls: [] }));
  socket.deliver(JSON.stringify({ type: 'call', call: { call_id: 'c1', state: 'ringing', direction: 'inbound', phone: '+18305803077', extension: '101' } }));
  // The lookup fails (no network): the pop-up shows the number.
  await flush();
  t.clock.advance(1500);
  await flush();
  expect(t.shown.map((popup) => popup.callId)).toEqual(['c1']);
  t.lead.stop();
});
