/**
 * Click-to-call's one seam between the relay and a PBX (docs/originate.md): the relay asks an
 * adapter to start a call, the adapter answers an outcome. The generic one speaks HTTP
 * (http-adapter.ts); a vendor may write one for its own API (AMI, ARI, ESL...) and pass it to
 * createRelay as `originate.adapter`. The call itself comes back through the call feed.
 */

export interface OriginateRequest {
  /** The relay's id of this request (a UUID): the PBX may echo it as the call's `call_id`. */
  id: string;
  extension: string;
  /** E.164 or an internal extension (1..4 digits). */
  number: string;
  /** The Kommo user who asked; null with the legacy shared token. */
  userId: string | null;
}

/** Why a PBX refused: what the widget tells its user differs for each. */
export type OriginateRefusal = 'busy' | 'bad_number' | 'unknown_extension' | 'not_allowed' | 'other';

export type OriginateOutcome =
  | { ok: true; callId?: string }
  | { ok: false; code: OriginateRefusal | 'unreachable' | 'timeout'; reason: string };

export interface PbxAdapter {
  /** Never rejects: every failure is an outcome. */
  originate(request: OriginateRequest): Promise<OriginateOutcome>;
  /** Stops whatever it holds (sockets, timers); the relay calls it on close. */
  close?(): void | Promise<void>;
}

/** The adapter's sockets and timers go with the relay: whatever its close does, nothing escapes (logged). */
export function closeAdapter(adapter: PbxAdapter | undefined, log: (message: string, context?: Record<string, unknown>) => void): void {
  const failed = (error: unknown) => log('relay: the PBX adapter failed to close', { error: String(error) });
  try {
    Promise.resolve(adapter?.close?.()).catch(failed);
  } catch (error) {
    failed(error);
  }
}
