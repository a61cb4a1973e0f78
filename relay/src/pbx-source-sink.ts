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
  ingest: (events: readonly CallEvent[]) => unknown;
  beforeWrite: () => void;
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
      if (valid.length === 0) return;
      try {
        o.beforeWrite();
        o.ingest(valid);
      } catch (error) {
        // The store could not be written: the PBX cannot be asked to resend, so it is said loudly.
        o.log('relay: events from the PBX source could not be stored', { error: String(error), events: valid.length });
      }
    },
  };
}
