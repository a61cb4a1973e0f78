/**
 * A PBX the relay reads call events from itself (the Asterisk adapter, asterisk/), instead of,
 * or besides, the PBX POSTing them to /pbx/events. The relay starts it with a sink, shows its
 * status in /health and stops it on close; a source may serve routes of its own under a prefix
 * (the Asterisk recordings' signed links).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallEvent } from '../../src/protocol';

export interface PbxSink {
  /** Feed events the source derived, in order; each is validated and stored like a POSTed one (an invalid one is dropped and logged). */
  publish(events: readonly CallEvent[]): void;
}

export interface PbxSource {
  /** Set by cluster/leased-pbx.ts: this source connects on one node of a cluster at a time. */
  readonly leased?: true;
  start(sink: PbxSink): void;
  /** For /health (with the PBX token): whether the PBX is connected, and why not. */
  status(): Record<string, unknown>;
  /** Routes under `prefix` (e.g. `/recordings/`): handled when the path starts with it. */
  routes?: { prefix: string; handle(req: IncomingMessage, res: ServerResponse, path: string): void };
  /** Undoes start(): sockets and timers closed. */
  stop(): Promise<void>;
}
