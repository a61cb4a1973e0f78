/**
 * One typed event emitter for the whole widget (mitt: 200 bytes, no dependencies). `on`
 * returns its own unsubscribe so every listener has an owner that can remove it.
 */
import mitt from 'mitt';
import type { Emitter as MittEmitter, EventType } from 'mitt';

export interface Emitter<Events extends Record<EventType, unknown>> {
  on<K extends keyof Events>(type: K, handler: (event: Events[K]) => void): () => void;
  emit<K extends keyof Events>(type: K, event: Events[K]): void;
  clear(): void;
}

export function createEmitter<Events extends Record<EventType, unknown>>(): Emitter<Events> {
  const inner: MittEmitter<Events> = mitt<Events>();
  return {
    on(type, handler) {
      inner.on(type, handler);
      return () => inner.off(type, handler);
    },
    emit(type, event) {
      inner.emit(type, event);
    },
    clear() {
      inner.all.clear();
    },
  };
}
