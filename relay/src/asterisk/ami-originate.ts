/**
 * Click-to-call through Asterisk's AMI: a PbxAdapter (docs/originate.md) that sends one
 * `Originate` per request over the relay's AMI client (ami-originate-rules.ts says what is sent
 * and what the answers mean).
 *
 * When it answers: the widget needs "the PBX took it, your phone rings" (200), or a refusal
 * the manager can act on. `Originate successfully queued` alone says neither: a busy or an
 * unregistered phone fails a few milliseconds later, in the OriginateResponse event, while a
 * ringing phone sends nothing until it is answered (or the ring timeout, 30 s). So after the
 * queued Response the adapter waits `failFastMs` (default 2 s) for a quick Failure: one within
 * that is the refusal (busy, unknown_extension...), silence is success (the phone is ringing).
 * The event is matched by `Uniqueid`, which is our ChannelId (the request id) even when no
 * channel could be made (manager.c `fast_originate`); the client's ActionIDs stay its own.
 *
 * Decisions:
 * - ChannelId = the request id, so the call's Uniqueid/Linkedid and the feed's call_id are the
 *   request id (docs/originate.md section 3); the tracker is told before the action is sent.
 * - CallerID defaults to `"{number}" <{extension}>`: the phone shows the number it is calling
 *   as the caller's name, and the dialplan sees the call as coming from the extension, as if the
 *   user had dialled it (Asterisk sets the originated leg's caller ID for this reason, pbx.c
 *   `pbx_outgoing_attempt`): FreePBX's from-internal finds the user by CALLERID(num), for its
 *   outbound route's caller ID and permissions. `'"{number}" <{number}>'` shows the number alone.
 * - `stripPlus` defaults to true: FreePBX outbound routes' dial patterns match digits
 *   (`NXXNXXXXXX`, `7.`), and a `+` matches none of them; `dialPrefix` adds `00`/`011`/`9`.
 */
import type { OriginateOutcome, OriginateRequest, PbxAdapter } from '../originate/pbx-adapter';
import { RELAY_DEFAULTS } from '../options';
import { isAmiError } from './ami-errors';
import { checkOriginateConfig, originateAction, outcomeOfOriginateResponse, outcomeOfResponse } from './ami-originate-rules';
import type { OriginateConfig } from './ami-originate-rules';
import type { AmiActions, AmiAnswer, AmiMessage, AmiTimers, Log } from './ami-types';

export interface AmiOriginateOptions {
  ami: AmiActions;
  /** The AMI client's events (AmiClient.onEvent): OriginateResponse. Without it, a queued Response is success. */
  events?: { onEvent(listener: (m: AmiMessage) => void): () => void };
  tracker: { expectOriginate(o: { id: string; extension: string; number: string }): void };
  /** Default `SIP/{extension}`; `PJSIP/{extension}` on FreePBX 14+, `Local/{extension}@from-internal` for follow-me. */
  channel?: string;
  /** Default `from-internal`. */
  context?: string;
  /** How long the user's phone rings (ms), default 30 000. */
  timeoutMs?: number;
  /** Default `"{number}" <{extension}>`. */
  callerId?: string;
  /** Default true. */
  stripPlus?: boolean;
  /** Default ''. */
  dialPrefix?: string;
  /** Asterisk must answer the action within this (ms), else `timeout`; default RELAY_DEFAULTS.originateTimeoutMs (5 s). */
  answerTimeoutMs?: number;
  /** How long a quick OriginateResponse Failure is waited for after the queued Response (ms); default 2000, 0: not waited. */
  failFastMs?: number;
  timers?: AmiTimers;
  log?: Log;
}

const NODE_TIMERS: AmiTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** One request in flight: `sent` until the Response, `queued` while a quick failure is awaited. */
interface Pending {
  request: OriginateRequest;
  phase: 'sent' | 'queued';
  /** An OriginateResponse that came before the Response (the originate thread may win the race). */
  early: OriginateOutcome | null;
  finish(outcome: OriginateOutcome): void;
  /** Replaces the one timer this request holds. */
  rearm(fn: () => void, ms: number): void;
}

function positive(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`createAmiOriginate: ${name} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

/** A rejected send: the client's AmiError code says which outcome. */
function outcomeOfFailure(error: unknown): OriginateOutcome {
  if (isAmiError(error, 'timeout')) return { ok: false, code: 'timeout', reason: 'Asterisk did not answer the Originate in time' };
  if (isAmiError(error, 'not_connected')) return { ok: false, code: 'unreachable', reason: 'the relay is not connected to Asterisk\'s AMI' };
  if (isAmiError(error, 'closed')) return { ok: false, code: 'unreachable', reason: 'the AMI connection dropped before Asterisk answered' };
  return { ok: false, code: 'unreachable', reason: `the Originate could not be sent (${isAmiError(error) ? error.code : 'error'})` };
}

export function createAmiOriginate(o: AmiOriginateOptions): PbxAdapter {
  const config: OriginateConfig = checkOriginateConfig({
    channel: o.channel ?? 'SIP/{extension}',
    context: o.context ?? 'from-internal',
    timeoutMs: o.timeoutMs ?? 30_000,
    callerId: o.callerId ?? '"{number}" <{extension}>',
    stripPlus: o.stripPlus ?? true,
    dialPrefix: o.dialPrefix ?? '',
  });
  const answerTimeoutMs = positive('answerTimeoutMs', o.answerTimeoutMs ?? RELAY_DEFAULTS.originateTimeoutMs, 1);
  const failFastMs = positive('failFastMs', o.failFastMs ?? 2_000, 0);
  const timers = o.timers ?? NODE_TIMERS;
  const log = o.log ?? (() => {});
  const pending = new Map<string, Pending>();
  let closed = false;

  const unsubscribe = o.events?.onEvent((m) => {
    if (m.Event !== 'OriginateResponse') return;
    const entry = pending.get(m.Uniqueid ?? '');
    if (entry === undefined) return;
    const outcome = outcomeOfOriginateResponse(m, entry.request);
    if (entry.phase === 'queued') entry.finish(outcome);
    else entry.early = outcome;
  });

  /** The action's answer: a refusal settles at once; queued waits for a quick failure (or an early event settles it). */
  function answered(entry: Pending, answer: AmiAnswer | undefined): void {
    // A malformed answer must not throw: the caller's promise must settle.
    const response = answer?.response;
    if (typeof response !== 'object' || response === null) return entry.finish({ ok: false, code: 'other', reason: 'the AMI client answered no Response' });
    const first = outcomeOfResponse(response, entry.request);
    if (first !== 'queued') return entry.finish(first);
    const success: OriginateOutcome = { ok: true, callId: entry.request.id };
    if (entry.early !== null) return entry.finish(entry.early);
    if (o.events === undefined || failFastMs === 0) return entry.finish(success);
    entry.phase = 'queued';
    entry.rearm(() => entry.finish(success), failFastMs);
  }

  function start(request: OriginateRequest, action: Record<string, string>): Promise<OriginateOutcome> {
    return new Promise((resolve) => {
      let timer: unknown = null;
      const entry: Pending = {
        request,
        phase: 'sent',
        early: null,
        finish(outcome) {
          if (pending.get(request.id) !== entry) return;
          pending.delete(request.id);
          timers.clearTimeout(timer);
          resolve(outcome);
        },
        rearm(fn, ms) {
          timers.clearTimeout(timer);
          timer = timers.setTimeout(fn, ms);
        },
      };
      pending.set(request.id, entry);
      entry.rearm(() => entry.finish({ ok: false, code: 'timeout', reason: `Asterisk did not answer the Originate within ${answerTimeoutMs} ms` }), answerTimeoutMs);
      let sent: Promise<AmiAnswer>;
      try {
        o.tracker.expectOriginate({ id: request.id, extension: request.extension, number: request.number });
        sent = o.ami.send(action);
      } catch (error) {
        log('relay: asterisk: the originate failed unexpectedly', { id: request.id, error: String(error) });
        return entry.finish({ ok: false, code: 'unreachable', reason: 'the Originate could not be sent' });
      }
      Promise.resolve(sent)
        .then((answer) => answered(entry, answer), (error: unknown) => entry.finish(outcomeOfFailure(error)))
        .catch((error: unknown) => {
          log('relay: asterisk: the originate failed unexpectedly', { id: request.id, error: String(error) });
          entry.finish({ ok: false, code: 'other', reason: 'the relay could not read Asterisk\'s answer' });
        });
    });
  }

  return {
    async originate(request) {
      if (closed) return { ok: false, code: 'unreachable', reason: 'the relay is closing' };
      const built = originateAction(request, config);
      if (!built.ok) {
        log('relay: asterisk: an originate request was refused before AMI', { id: typeof request.id === 'string' ? request.id.slice(0, 64) : null, code: built.outcome.ok ? null : built.outcome.code });
        return built.outcome;
      }
      // The same id twice at once would mix up the events: the relay makes a UUID per request.
      if (pending.has(request.id)) return { ok: false, code: 'other', reason: 'an originate with this id is already in flight' };
      return start(request, built.action);
    },
    close() {
      closed = true;
      unsubscribe?.();
      for (const entry of [...pending.values()]) entry.finish({ ok: false, code: 'unreachable', reason: 'the relay is closing' });
    },
  };
}
