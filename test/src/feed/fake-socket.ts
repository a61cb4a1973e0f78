/**
 * A WebSocket double the test drives by hand: it records what the transport sends and lets the
 * test play the relay (open, frames, close) with no network, so fast-check can run hundreds of
 * frame sequences per second. Real-socket faults live in relay-drop.test.ts.
 */
export interface FakeSocket {
  readonly url: string;
  readyState: number;
  readonly sent: string[];
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number): void;
  /** The relay accepted the connection. */
  open(): void;
  /** The relay sent one frame. */
  deliver(data: unknown): void;
  /** The connection dropped (1006: no close frame). */
  drop(code?: number): void;
}

/** A WebSocket constructor for the transport, and every socket it made, oldest first. */
export function fakeWebSocket(): { WebSocket: typeof WebSocket; sockets: FakeSocket[]; latest(): FakeSocket } {
  const sockets: FakeSocket[] = [];
  class Socket implements FakeSocket {
    readyState = 0;
    readonly sent: string[] = [];
    onopen: FakeSocket['onopen'] = null;
    onmessage: FakeSocket['onmessage'] = null;
    onclose: FakeSocket['onclose'] = null;
    onerror: FakeSocket['onerror'] = null;
    constructor(readonly url: string) {
      sockets.push(this);
    }
    send(data: string): void {
      if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
      this.sent.push(data);
    }
    close(): void {
      this.readyState = 3;
    }
    open(): void {
      this.readyState = 1;
      this.onopen?.({});
    }
    deliver(data: unknown): void {
      this.onmessage?.({ data });
    }
    drop(code = 1006): void {
      this.readyState = 3;
      this.onclose?.({ code, reason: '' });
    }
  }
  return {
    WebSocket: Socket as unknown as typeof WebSocket,
    sockets,
    latest() {
      const last = sockets[sockets.length - 1];
      if (!last) throw new Error('no socket was opened');
      return last;
    },
  };
}
