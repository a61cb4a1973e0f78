/**
 * A socket's frame budget, a token bucket: `perS` frames a second on average, `burst` at once.
 * A widget sends one frame every 5 s (a ping) and a subscribe now and then; a socket far above
 * that is broken or hostile, and each of its frames costs the relay's one event loop. Time is
 * the relay's clock (`now`), so tests move it by hand.
 */

export interface FrameRate {
  perS: number;
  burst: number;
}

export class FrameBudget {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: FrameRate,
    now: number,
  ) {
    this.tokens = rate.burst;
    this.at = now;
  }

  /** Takes `cost` frames' worth; false, taking nothing, when the socket is over its rate. */
  take(cost: number, now: number): boolean {
    if (now > this.at) {
      this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.at) * this.rate.perS) / 1000);
      this.at = now;
    }
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}
