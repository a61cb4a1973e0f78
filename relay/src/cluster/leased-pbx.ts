/**
 * A PBX the relay reads itself (the Asterisk adapter) on a cluster (docs/cluster.md): every node
 * is configured alike, and one at a time, the holder of the `pbx` role, connects to the PBX; the
 * others stand by and take over within the lease's time when it dies. Click-to-call on any node
 * reaches the holder through the cluster's asks, so the call is started by the connection that
 * will see it (the tracker then knows the manager's ringing phone as the outbound call).
 *
 * Redis away is not another node taking over: the holder keeps its PBX connection (its events
 * wait on the node, source-writes.ts) and stops it only when Redis says another node holds the
 * role. Each take opens a new adapter (an AMI client does not start again once stopped).
 */
import type { ClusterLink, ClusterRole, RoleChange } from '../cluster-link';
import { checkExtension, checkNumber } from '../originate/originate-rules';
import type { OriginateOutcome, OriginateRequest, PbxAdapter } from '../originate/pbx-adapter';
import type { PbxSink, PbxSource } from '../pbx-source';

type Log = (message: string, context?: Record<string, unknown>) => void;

export const PBX_ROLE = 'pbx';

export interface OpenedPbx {
  source: PbxSource;
  originate: PbxAdapter | null;
}

/** An ask read back from Redis is input like any other: the request, or null. */
export function readOriginateAsk(body: unknown): OriginateRequest | null {
  if (typeof body !== 'object' || body === null) return null;
  const { id, extension, number, userId } = body as Record<string, unknown>;
  if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id)) return null;
  if (userId !== null && typeof userId !== 'string') return null;
  try {
    const checked = checkExtension(extension);
    return checked === null ? null : { id, extension: checked, number: checkNumber(number), userId };
  } catch {
    return null;
  }
}

export function leasedPbx(o: {
  cluster: ClusterLink;
  open: () => OpenedPbx;
  /** Whether the adapter originates (AMI Originate configured): else `originate` is null. */
  originates: boolean;
  log: Log;
  leaseMs?: number;
  /** How long a node waits for the holder's answer to a click (the holder's own PBX timeout, and some). */
  askTimeoutMs?: number;
}): OpenedPbx {
  const askTimeoutMs = o.askTimeoutMs ?? 8_000;
  // Routes (the signed recordings) are the same on every node: from an adapter never started.
  const routes = o.open().source.routes;
  let role: ClusterRole | null = null;
  let current: OpenedPbx | null = null;
  let sink: PbxSink | null = null;
  let stopAnswering: (() => void) | null = null;
  let stopped = false;

  function connect(): void {
    if (current !== null || sink === null || stopped) return;
    current = o.open();
    current.source.start(sink);
  }

  async function disconnect(): Promise<void> {
    const was = current;
    current = null;
    if (was === null) return;
    try {
      await Promise.resolve(was.originate?.close?.());
      await was.source.stop();
    } catch (error) {
      o.log('relay: the PBX connection failed to stop', { error: String(error) });
    }
  }

  function changed(holding: boolean, why: RoleChange): void {
    if (holding) return connect();
    if (why === 'unreachable') {
      if (current !== null) o.log('relay: Redis is away; this node keeps the PBX connection, its events wait here until Redis is back');
      return;
    }
    if (current !== null) o.log('relay: another node of the cluster holds the PBX connection now; this node lets it go', { why });
    void disconnect();
  }

  /** The holder's side of a click asked on another node. */
  function serve(body: unknown): Promise<OriginateOutcome> | null {
    const adapter = current?.originate ?? null;
    if (adapter === null) return null;
    const request = readOriginateAsk(body);
    if (request === null) {
      o.log('relay: a click-to-call ask from the cluster cannot be read; dropped');
      return null;
    }
    return adapter.originate(request);
  }

  const source: PbxSource = {
    leased: true,
    start(given) {
      sink = given;
      role = o.cluster.role(PBX_ROLE, o.leaseMs ?? 3_000);
      role.onChange(changed);
      if (o.originates) stopAnswering = o.cluster.answer(PBX_ROLE, serve);
      role.start();
    },
    status() {
      if (current !== null) return { ...current.source.status(), role: 'holder' };
      return { kind: 'asterisk', connected: false, state: 'standby', role: 'standby', reason: 'another node of the cluster holds the PBX connection' };
    },
    ...(routes === undefined ? {} : { routes }),
    async stop() {
      stopped = true;
      stopAnswering?.();
      await disconnect();
      await role?.stop();
    },
  };

  const originate: PbxAdapter = {
    async originate(request) {
      const local = current?.originate ?? null;
      if (local !== null) return local.originate(request);
      const answer = await o.cluster.ask(PBX_ROLE, request, askTimeoutMs);
      if (answer === null) return { ok: false, code: 'unreachable', reason: `no node of the relay's cluster connected to the PBX answered within ${askTimeoutMs} ms` };
      return answer as OriginateOutcome;
    },
  };

  return { source, originate: o.originates ? originate : null };
}
