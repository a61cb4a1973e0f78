/**
 * The AMI connection's keepalive: a Ping every `everyMs` while logged in, one at a time (a Ping
 * still unanswered is not sent again). What an unanswered Ping means is the client's (it drops
 * the connection); this owns only the timer.
 */
import type { AmiTimers } from './ami-types';

export interface AmiKeepalive {
  start(): void;
  stop(): void;
}

export function createAmiKeepalive(o: { timers: AmiTimers; everyMs: number; ping: () => Promise<void> }): AmiKeepalive {
  let timer: unknown = null;
  let inFlight = false;
  const stop = () => {
    if (timer !== null) o.timers.clearTimeout(timer);
    timer = null;
  };
  const tick = () => {
    timer = o.timers.setTimeout(tick, o.everyMs);
    if (inFlight) return;
    inFlight = true;
    void o.ping().finally(() => {
      inFlight = false;
    });
  };
  return {
    start() {
      stop();
      inFlight = false;
      timer = o.timers.setTimeout(tick, o.everyMs);
    },
    stop,
  };
}
