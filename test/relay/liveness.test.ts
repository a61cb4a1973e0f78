/**
 * Dead sockets and load as a widget sees them: a silent version-2 socket is closed (4408) in
 * time, one that pings stays; version-1 sockets are not held to the version-2 rule; 1000 widgets
 * reconnecting at once after a restart are all served by the default cap.
 */
import { WebSocket } from 'ws';
import { waitUntil } from '../support/wait';
import { relay, stopAll, subscribeV2, TOKEN } from './harness';

afterEach(stopAll);

test('a v2 socket that sends nothing is closed with 4408 within the silence limit; one that pings is kept', async () => {
  const t = await relay({ silentCloseMs: 300 });
  const silent = await t.client(subscribeV2());
  const talker = await t.client(subscribeV2());
  const v1 = await t.client();
  await silent.frame('snapshot');
  await talker.frame('snapshot');
  await v1.frame('snapshot');
  const started = Date.now();
  const pinger = setInterval(() => talker.send({ type: 'ping' }), 100);
  try {
    expect(await silent.closed()).toBe(4408);
    expect(Date.now() - started).toBeLessThan(2_000);
    // Twice the limit later the pinging socket is still open, and so is the v1 one (WebSocket-level pings cover it).
    await waitUntil('two silence limits', () => Date.now() - started > 600, { everyMs: 20 });
    expect(talker.closeCode()).toBeNull();
    expect(v1.closeCode()).toBeNull();
    expect(talker.frames.filter((f) => f.type === 'pong').length).toBeGreaterThan(2);
  } finally {
    clearInterval(pinger);
  }
});

test('the default cap serves 1000 widgets reconnecting at once; none is refused', async () => {
  const t = await relay();
  const sockets: WebSocket[] = [];
  let snapshots = 0;
  let refused = 0;
  try {
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(t.r.wsUrl);
        sockets.push(ws);
        ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', v: 2, token: TOKEN, extensions: [String(100 + (i % 50))] })));
        ws.on('message', (data) => {
          const frame = JSON.parse(String(data)) as { type: string };
          if (frame.type === 'snapshot') snapshots += 1;
          else refused += 1;
          resolve();
        });
        ws.on('unexpected-response', () => reject(new Error('upgrade refused')));
        ws.on('error', reject);
      })),
    );
    expect({ snapshots, refused }).toEqual({ snapshots: 1000, refused: 0 });
    expect(t.r.connections()).toBe(1000);
  } finally {
    for (const ws of sockets) ws.terminate();
  }
}, 30_000);
