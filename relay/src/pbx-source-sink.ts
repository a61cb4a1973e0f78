/**
 * The sink a PbxSource publishes into: each event validated by the protocol's own rules (the same
 * as a POSTed one's; a source's bug is dropped with a log line, never stored), its time admitted
 * like a POSTed one's, then stored and fanned out.
 */
import { parseCallEvent, toWireEvent } from '../../src/protocol';
import type { CallEvent } from '../../src/protocol';
import { admitTime } from './leg-rules';
import type { PbxSink } from './pbx-source';

export function createPbxSink(o: {
  now: () => number;
  /** Stores them and fans them out; a store that fails is logged there (it never throws). */
  ingest: (events: readonly CallEvent[]) => void;
  log: (message: string, context?: Record<string, unknown>) => void;
}): PbxSink {
  return {
    publish(events) {
      const now = o.now();
      const valid: CallEvent[] = [];
      for (const event of events) {
        const parsed = parseCallEvent(toWireEvent(event), now);
        if (parsed.ok) valid.push(admitTime(parsed.event, now).event);
        else o.log('relay: the PBX source derived an invalid event; dropped', { reason: parsed.reason, call_id: event.callId, extension: event.extension });
      }
      if (valid.length > 0) o.ingest(valid);
    },
  };
}
