/**
 * What a subscriber's frames do: `subscribe` (authenticated: a ticket or the legacy token; the
 * extensions must be the user's; then the snapshot, version 2 with what it missed), `auth` (a
 * renewed ticket on the open socket), `ping` (version 2's pong carries the offset). Frames of
 * one socket are handled in order; a ticket past its `exp` handles nothing.
 */
import { composeError, isRecord, parseSubscribe } from '../../src/protocol';
import type { Access } from './auth/access';
import { socketRefusal } from './auth/refusals';
import { renew, secondsLeft, subscribeCredential } from './auth/socket-auth';
import { RequestRefused } from './errors';
import { parseExtensions } from './extensions';
import type { SocketGuard } from './guard/socket-guard';
import type { CallStore } from './store';
import { isOpen, refuseAccess, refuseBadRequest, sendFrame, watchSilence } from './subscriber';
import type { Subscriber } from './subscriber';
import { snapshotFrame } from './versions';

export interface FrameHandlerOptions {
  store: CallStore;
  access: Access;
  guard: SocketGuard;
  maxExtensions: number;
  silentCloseMs: number;
  recentEndedMs: number;
  now: () => number;
  /** Runs before a snapshot is taken (the relay's expiry), so snapshots never list expired legs. */
  beforeRead: () => void;
  /** Registers the subscriber under its extensions (and `unindex` removes it) for the fan-out. */
  index(sub: Subscriber): void;
  unindex(sub: Subscriber): void;
}

export function createFrameHandler(o: FrameHandlerOptions) {
  const { index, unindex } = o;

  const snapshot = (sub: Subscriber, extensions: Set<string>, since: Parameters<CallStore['missedSince']>[1] | null) =>
    snapshotFrame(o.store, sub.version, extensions, since, { now: o.now(), recentEndedMs: o.recentEndedMs });

  async function onSubscribe(sub: Subscriber, frame: Record<string, unknown>): Promise<void> {
    const parsed = parseSubscribe(frame);
    if (!parsed.ok) return refuseBadRequest(sub, parsed.reason);
    const { token, extensions: rawExtensions, version, since } = parsed.request;
    const credential = subscribeCredential(frame, token);
    const checked = await o.access.authenticate(credential);
    if (!checked.ok) return refuseAccess(sub, socketRefusal(checked.code));
    let extensions: Set<string>;
    try {
      if (!Array.isArray(rawExtensions)) throw new RequestRefused(400, 'bad_request', 'extensions must be a list of strings');
      extensions = parseExtensions(rawExtensions, o.maxExtensions);
    } catch (error) {
      return refuseBadRequest(sub, error instanceof RequestRefused ? error.reason : 'bad subscribe');
    }
    const forbidden = o.access.forbidden(checked.grant, extensions);
    if (forbidden.length > 0) return refuseAccess(sub, socketRefusal('forbidden_extension', forbidden));
    // Closed while its ticket was checked: its close handler has run, nothing may index it again.
    if (!isOpen(sub)) return;
    // Authenticated now: it takes a subscriber slot, unless a cap says come back later.
    if (!o.guard.authenticate(sub.socket, checked.grant.userId)) return;
    o.beforeRead();
    // Snapshot and registration happen in the same turn: no event can fall between them.
    unindex(sub);
    sub.extensions = extensions;
    sub.version = version;
    sub.userId = checked.grant.userId;
    sub.ticket.set(checked.grant.expiresAtMs);
    sendFrame(sub, snapshot(sub, extensions, since));
    index(sub);
    watchSilence(sub, o.silentCloseMs);
  }

  /** `{"type": "auth", "ticket": ...}`: the socket stays, with its extensions, until the new ticket's `exp`. */
  async function onAuth(sub: Subscriber, frame: Record<string, unknown>): Promise<void> {
    if (sub.extensions === null) return refuseBadRequest(sub, 'subscribe first, then renew with auth');
    const decision = await renew(o.access, { userId: sub.userId, extensions: sub.extensions }, frame);
    if (!decision.ok) return refuseAccess(sub, decision.refusal);
    if (!isOpen(sub)) return;
    sub.userId = decision.grant.userId;
    sub.ticket.set(decision.grant.expiresAtMs);
    sendFrame(sub, { type: 'auth_ok', expires_in: secondsLeft(decision.grant, o.now()) });
  }

  async function handleFrame(sub: Subscriber, data: unknown, isBinary: boolean): Promise<void> {
    if (!isOpen(sub)) return;
    // Its timer may not have fired yet: nothing is handled on an expired ticket.
    if (sub.ticket.passed()) return refuseAccess(sub, socketRefusal('ticket_expired'));
    if (isBinary) return sendFrame(sub, composeError('bad_frame', { reason: 'text frames only' }));
    let frame: unknown;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return sendFrame(sub, composeError('bad_frame', { reason: 'not JSON' }));
    }
    if (!isRecord(frame)) return sendFrame(sub, composeError('bad_frame', { reason: 'not an object' }));
    // Version 2's pong carries the current offset: a quiet widget's position stays fresh, so a
    // blip after a long quiet spell is still covered by the history.
    if (frame.type === 'ping') return sendFrame(sub, sub.version === 2 ? { type: 'pong', offset: o.store.position().offset } : { type: 'pong' });
    // A subscribe costs a snapshot, an auth a signature check: they count heavier against the frame rate.
    if ((frame.type === 'subscribe' || frame.type === 'auth') && !o.guard.allowFrame(sub.socket, 'heavy')) return;
    if (frame.type === 'subscribe') return onSubscribe(sub, frame);
    if (frame.type === 'auth') return onAuth(sub, frame);
    // Unknown frame types are ignored, as the widget does (room for later versions).
  }

  return { handleFrame, snapshot };
}
