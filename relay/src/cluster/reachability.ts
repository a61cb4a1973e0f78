/**
 * Whether this node can reach Redis, as its log reader last found: said once in the log at each
 * change (not at every failed read), and in /health with the time it went away.
 */
type Log = (message: string, context?: Record<string, unknown>) => void;

export class Reachability {
  private reachable = true;
  private downSince = 0;

  constructor(private readonly o: { now: () => number; log: Log; onBack: () => void }) {}

  get up(): boolean {
    return this.reachable;
  }

  down(error: unknown): void {
    if (!this.reachable) return;
    this.reachable = false;
    this.downSince = this.o.now();
    this.o.log('relay: Redis is unreachable; the connected widgets are served from this node\'s copy, and POSTs answer 503 until it is back', { error: String(error) });
  }

  back(from: string): void {
    if (this.reachable) return;
    this.reachable = true;
    this.o.log('relay: Redis is reachable again; catching up', { unreachable_ms: this.o.now() - this.downSince, from });
    this.o.onBack();
  }

  health(): Record<string, unknown> {
    return { redis: this.reachable ? 'reachable' : 'unreachable', ...(this.reachable ? {} : { unreachable_since: new Date(this.downSince).toISOString() }) };
  }
}
