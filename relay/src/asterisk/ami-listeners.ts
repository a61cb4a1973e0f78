/** The AMI client's listener sets: a listener that throws is logged, and the others still run. */
import type { Log } from './ami-types';

export class ListenerSet<L> {
  private readonly listeners = new Set<L>();

  constructor(private readonly log: Log) {}

  add(listener: L): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(call: (listener: L) => void): void {
    for (const listener of [...this.listeners]) {
      try {
        call(listener);
      } catch (error) {
        this.log('ami listener threw', { error: String(error) });
      }
    }
  }
}
