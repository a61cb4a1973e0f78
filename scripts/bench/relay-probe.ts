/**
 * When the in-process relay sent each call's `ringing` event: the benchmark runs the sandbox (and
 * so the reference relay) in its own Node process, so it can see the relay's writes without
 * changing the relay. Two hooks, removed by `dispose()`:
 *  - `ws` WebSocket.prototype.send: the first `{"type":"call"...}` frame carrying a call in state
 *    `ringing` (the relay's push to a WebSocket subscriber);
 *  - http.ServerResponse.prototype.end on `/calls` and `/calls.js`: the first poll answer that
 *    lists the call as `ringing`.
 * Times are Date.now() taken right before the bytes are handed to the socket, the same wall clock
 * the host page's `window.__sandbox.timeline` uses (one machine).
 */
import http from 'node:http';
import { WebSocket as WsSocket } from 'ws';

export interface RelayProbe {
  /** call_id -> Date.now() when the relay first sent it as ringing (WebSocket frame or poll answer). */
  readonly sentAt: Map<string, number>;
  /** How it went out: 'ws' or 'poll'. */
  readonly via: Map<string, 'ws' | 'poll'>;
  dispose(): void;
}

interface WireCall {
  call_id?: unknown;
  state?: unknown;
}

export function installRelayProbe(): RelayProbe {
  const sentAt = new Map<string, number>();
  const via = new Map<string, 'ws' | 'poll'>();
  const note = (calls: WireCall[], how: 'ws' | 'poll', at: number) => {
    for (const c of calls) {
      if (c.state !== 'ringing' || typeof c.call_id !== 'string' || sentAt.has(c.call_id)) continue;
      sentAt.set(c.call_id, at);
      via.set(c.call_id, how);
    }
  };

  const wsProto = WsSocket.prototype as unknown as { send: (...args: unknown[]) => void };
  const originalSend = wsProto.send;
  wsProto.send = function patchedSend(this: unknown, ...args: unknown[]) {
    const at = Date.now();
    const data = args[0];
    if (typeof data === 'string' && data.startsWith('{"type":"call"')) {
      try {
        note([(JSON.parse(data) as { call?: WireCall }).call ?? {}], 'ws', at);
      } catch {
        // not ours to judge
      }
    }
    return originalSend.apply(this, args);
  };

  const resProto = http.ServerResponse.prototype as unknown as { end: (...args: unknown[]) => unknown };
  const originalEnd = resProto.end;
  resProto.end = function patchedEnd(this: http.ServerResponse, ...args: unknown[]) {
    const at = Date.now();
    const chunk = args[0];
    const url = this.req?.url ?? '';
    if ((url.startsWith('/calls?') || url.startsWith('/calls.js?')) && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
      const text = String(chunk);
      if (text.includes('"ringing"')) {
        try {
          const json = url.startsWith('/calls.js') ? text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')) : text;
          note((JSON.parse(json) as { calls?: WireCall[] }).calls ?? [], 'poll', at);
        } catch {
          // not ours to judge
        }
      }
    }
    return originalEnd.apply(this, args);
  };

  return {
    sentAt,
    via,
    dispose() {
      wsProto.send = originalSend;
      resProto.end = originalEnd;
    },
  };
}
