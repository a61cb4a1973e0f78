/**
 * A version-2 subscriber that behaves as the widget's WebSocket feed does (src/feed/), for the
 * cluster bench: unlike relay-scale.ts's one-shot subscriber it lives through a node's death.
 *  - It keeps its position ({epoch, offset} of the last snapshot or frame) and sends it as
 *    `since` on every reconnect (protocol "Version 2"), so a `recovered: true` snapshot brings
 *    what was posted while it was away.
 *  - A lost socket is reopened after a uniform random 250..1000 ms, every time (backoff.ts
 *    BACKOFF_TIMING quickMinMs/quickMaxMs: a visible tab's policy, reconnectDelay('none')); a
 *    socket without its snapshot within 10 s counts as failed (ws-timing.ts connectTimeoutMs).
 *    (The widget's HTTP probe after 4 failed sockets works around Chromium's throttle; Node has
 *    none, so it is not done here.)
 *  - It sends `{"type":"ping"}` every 5 s (ws-timing.ts pingEveryMs): the relay closes a silent
 *    version-2 socket after 12 s, and the Redis outage lasts 10 s plus the catch-up.
 * Every event it receives (live frame or recovered) is keyed `call_id/state` with its first
 * arrival time; an offset or key seen twice is counted as a duplicate (a call popped twice).
 */
import { WebSocket } from 'ws';
import { BACKOFF_TIMING } from '../../src/feed/backoff';
import { WS_TIMING } from '../../src/feed/ws-timing';

interface CallFrame {
  offset: number;
  call: { call_id: string; state: string };
}

interface Frame {
  type: string;
  epoch?: string;
  offset?: number;
  recovered?: boolean;
  events?: CallFrame[];
  call?: CallFrame['call'];
}

export interface FeedRecovery {
  /** Date.now() when the snapshot of a reconnect arrived. */
  at: number;
  recovered: boolean;
  events: number;
}

export interface ClusterFeed {
  readonly extension: string;
  /** `call_id/state` -> Date.now() when it first arrived. */
  readonly seen: Map<string, number>;
  /** Events received twice: the same offset again, or the same call state at another offset. */
  duplicates(): number;
  /** Sockets lost (not closed by close()). */
  drops(): number;
  /** The snapshots of reconnects, in order. */
  readonly recoveries: FeedRecovery[];
  /** Connected and subscribed right now. */
  live(): boolean;
  /** For good: no reconnect. */
  close(): void;
}

/** Opens the feed on `wsUrl`; resolves at its first snapshot (rejects after 30 s without). */
export function openFeed(wsUrl: string, token: string, extension: string): Promise<ClusterFeed> {
  const seen = new Map<string, number>();
  const offsets = new Set<number>();
  const recoveries: FeedRecovery[] = [];
  let position: { epoch: string; offset: number } | null = null;
  let duplicates = 0;
  let drops = 0;
  let ws: WebSocket | null = null;
  let subscribed = false;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let ping: NodeJS.Timeout | null = null;
  let first: ((feed: ClusterFeed) => void) | null = null;

  const receive = (e: CallFrame, at: number) => {
    const key = `${e.call.call_id}/${e.call.state}`;
    if (offsets.has(e.offset) || seen.has(key)) duplicates += 1;
    offsets.add(e.offset);
    if (!seen.has(key)) seen.set(key, at);
    if (position && e.offset > position.offset) position.offset = e.offset;
  };

  const onFrame = (frame: Frame) => {
    const at = Date.now();
    if (frame.type === 'snapshot' && frame.epoch !== undefined && frame.offset !== undefined) {
      if (timer) clearTimeout(timer);
      const again = position !== null;
      for (const e of frame.recovered ? (frame.events ?? []) : []) receive(e, at);
      position = { epoch: frame.epoch, offset: frame.offset };
      subscribed = true;
      if (again) recoveries.push({ at, recovered: frame.recovered === true, events: frame.events?.length ?? 0 });
      first?.(feed);
      first = null;
    } else if (frame.type === 'call' && frame.call && frame.offset !== undefined) receive({ offset: frame.offset, call: frame.call }, at);
  };

  const lost = () => {
    if (ping) clearInterval(ping);
    ping = null;
    if (timer) clearTimeout(timer);
    subscribed = false;
    ws = null;
    if (closed) return;
    const delay = BACKOFF_TIMING.quickMinMs + Math.floor(Math.random() * (BACKOFF_TIMING.quickMaxMs - BACKOFF_TIMING.quickMinMs));
    timer = setTimeout(connect, delay);
  };

  function connect(): void {
    const socket = new WebSocket(wsUrl);
    ws = socket;
    timer = setTimeout(() => socket.terminate(), WS_TIMING.connectTimeoutMs);
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'subscribe', v: 2, token, extensions: [extension], ...(position ? { since: position } : {}) }));
      ping = setInterval(() => socket.send(JSON.stringify({ type: 'ping' })), WS_TIMING.pingEveryMs);
    });
    socket.on('message', (data) => onFrame(JSON.parse(String(data)) as Frame));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      if (!closed && subscribed) drops += 1;
      lost();
    });
  }

  const feed: ClusterFeed = {
    extension,
    seen,
    recoveries,
    duplicates: () => duplicates,
    drops: () => drops,
    live: () => subscribed,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (ping) clearInterval(ping);
      ws?.terminate();
    },
  };
  return new Promise((resolve, reject) => {
    const giveUp = setTimeout(() => {
      feed.close();
      reject(new Error(`subscriber ${extension} (${wsUrl}): no snapshot within 30 s`));
    }, 30_000);
    first = (f) => {
      clearTimeout(giveUp);
      resolve(f);
    };
    connect();
  });
}
