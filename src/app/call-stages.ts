/**
 * The leader's edges, wrapped to mark the stages of a ringing call (src/core/stage-marks.ts):
 * the socket a frame arrives on, the lookup's fetch and its answer. Without marks, the edges
 * are handed on untouched.
 */
import type { CallerLookup } from '../lookup';
import type { StageMarks } from '../core/stage-marks';

/** A WebSocket whose call frames are marked as they arrive, before the feed's own handler runs. */
export function markedWebSocket(Base: typeof WebSocket, marks: StageMarks | undefined): typeof WebSocket {
  if (!marks) return Base;
  const mark = marks;
  return class MarkedWebSocket extends Base {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Registered first, so it runs before the feed's onmessage; a prefix test, never a parse.
      this.addEventListener('message', (event: MessageEvent) => {
        if (typeof event.data === 'string' && event.data.startsWith('{"type":"call"')) mark.mark('frame-received');
      });
    }
  };
}

/** A fetch that marks every request it sends (the lookup's by_phone). */
export function markedFetch(base: typeof fetch, marks: StageMarks | undefined): typeof fetch {
  if (!marks) return base;
  return (input, init) => {
    marks.mark('lookup-sent');
    return base(input, init);
  };
}

/** A lookup that marks each answer once parsed. */
export function markedLookup(lookup: CallerLookup, marks: StageMarks | undefined): CallerLookup {
  if (!marks) return lookup;
  const peek = lookup.peek?.bind(lookup);
  return {
    peek: peek && ((raw) => {
      const result = peek(raw);
      if (result !== undefined) marks.mark('answer-parsed');
      return result;
    }),
    findByNumber: (raw) =>
      lookup.findByNumber(raw).then((result) => {
        marks.mark('answer-parsed');
        return result;
      }),
    dispose: () => lookup.dispose(),
  };
}
